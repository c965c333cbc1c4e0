// The small node program sync runs inside the container (`node -e`): list, remove, and tar up workspace paths.
// It reads its request as JSON on stdin and needs nothing but node itself.

/** `node -e SCRIPT <op> <root> [request]`; ops: manifest, remove, tar, chown, realpath (of <root> itself). The request comes from stdin unless given. */
export const SYNC_SCRIPT = String.raw`
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const [op, root, inline] = process.argv.slice(1);
const input = () => { try { return JSON.parse(inline ?? fs.readFileSync(0, "utf8")); } catch (e) { fail("bad request: " + e.message); } };
function fail(message) { process.stderr.write("acp-sandbox-sync: " + message + "\n"); process.exit(2); }
const out = (s) => new Promise((resolve) => process.stdout.write(s) ? resolve() : process.stdout.once("drain", resolve));

function hash(file) {
  const h = crypto.createHash("sha256"), buf = Buffer.alloc(1 << 20), fd = fs.openSync(file, "r");
  try { for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n)); } finally { fs.closeSync(fd); }
  return h.digest("hex");
}

function manifest({ prune, cache }) {
  const skip = new Set(prune), rows = [];
  const walk = (rel) => {
    let names;
    try { names = fs.readdirSync(rel ? path.join(root, rel) : root); } catch (e) { if (rel === "" && e.code === "ENOENT") return; throw e; }
    for (const name of names) {
      const r = rel ? rel + "/" + name : name, full = path.join(root, r);
      let st;
      try { st = fs.lstatSync(full); } catch { continue; }
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) { rows.push([r, "dir", mode, 0, st.mtimeMs]); if (!skip.has(name)) walk(r); }
      else if (st.isSymbolicLink()) rows.push([r, "symlink", mode, 0, st.mtimeMs, fs.readlinkSync(full)]);
      else if (st.isFile()) {
        const c = cache[r];
        rows.push([r, "file", mode, st.size, st.mtimeMs, c && c[0] === st.size && c[1] === st.mtimeMs ? c[2] : hash(full)]);
      } else rows.push([r, "other", mode, 0, st.mtimeMs]);
    }
  };
  walk("");
  return out(JSON.stringify(rows));
}

function remove(paths) {
  const kept = [];
  for (const rel of paths) {
    const full = path.join(root, rel);
    let st;
    try { st = fs.lstatSync(full); } catch { continue; }
    try { st.isDirectory() ? fs.rmdirSync(full) : fs.unlinkSync(full); }
    catch (e) { if (e.code === "ENOTEMPTY" || e.code === "EEXIST") kept.push(rel); else if (e.code !== "ENOENT") throw e; }
  }
  return out(JSON.stringify(kept));
}

function octal(n, width) { return n.toString(8).padStart(width - 1, "0") + "\0"; }
function header(name, size, mode, mtime, type) {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, "utf8");
  b.write(octal(mode, 8), 100); b.write(octal(0, 8), 108); b.write(octal(0, 8), 116);
  b.write(octal(size, 12), 124); b.write(octal(Math.floor(mtime), 12), 136);
  b.write("        ", 148); b.write(type, 156); b.write("ustar\0", 257); b.write("00", 263);
  let sum = 0; for (const x of b) sum += x;
  b.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
  return b;
}
const pad = (n) => Buffer.alloc((512 - (n % 512)) % 512);
function paxRecord(key, value) {
  const body = " " + key + "=" + value + "\n";
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return len + body;
}

async function tar(paths) {
  for (const rel of paths) {
    const full = path.join(root, rel);
    let data, st;
    try { st = fs.lstatSync(full); if (!st.isFile()) continue; data = fs.readFileSync(full); } catch { continue; }
    if (Buffer.byteLength(rel) > 100 || /[^\x20-\x7e]/.test(rel)) {
      const pax = Buffer.from(paxRecord("path", rel));
      await out(Buffer.concat([header("PaxHeader/" + crypto.createHash("sha1").update(rel).digest("hex"), pax.length, 0o644, st.mtimeMs / 1000, "x"), pax, pad(pax.length)]));
    }
    await out(header(Buffer.byteLength(rel) > 100 ? rel.slice(0, 99) : rel, data.length, st.mode & 0o7777, st.mtimeMs / 1000, "0"));
    await out(data);
    await out(pad(data.length));
  }
  await out(Buffer.alloc(1024));
}

function chown({ uid, gid }) { fs.mkdirSync(root, { recursive: true }); fs.chownSync(root, uid, gid); return out("[]"); }

function realpath() { return out(JSON.stringify(fs.realpathSync(root))); }

const ops = { manifest, remove, tar, chown, realpath };
if (!ops[op]) fail("unknown operation " + op);
Promise.resolve(ops[op](input())).catch((e) => fail(e.message));
`;
