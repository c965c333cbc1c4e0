// Shell lines judged by every command in them: a table of lines under a deny rule and under an allow rule, and the parser's reading.
import { describe, expect, it } from "vitest";
import { decide } from "../../src/policy/decide.js";
import { compileRule, type Rule } from "../../src/policy/rules.js";
import { commandsOfArgv, commandsOfLine } from "../../src/policy/shell/commands.js";
import { terminalSubject } from "../../src/policy/terminal-subject.js";
import { planCommand } from "../../toolhost/terminals/command-line.js";

const context = { workspace: "/ws", home: "/home/u" };
const rule = (action: Rule["action"], command: string | undefined, label = `--${action} terminal:${command}`): Rule => ({
  action,
  op: "terminal",
  ...(command === undefined ? {} : { command }),
  origin: { kind: "flag", label },
});
const judge = (line: string, rules: Rule[]) => decide(terminalSubject(planCommand(line, [])), { rules: rules.map((r) => compileRule(r, context)), remembered: [] });

const DENY = [rule("deny", "git push*")];
const ALLOW = [rule("allow", "git push*")];
const R = "reject-always";
const A = "allow-always";
const P = "pending";

// [line, under --deny 'terminal:git push*', under --allow 'terminal:git push*']
const TABLE: Array<[string, string, string]> = [
  ["git push --force", R, A],
  ["git push --force; true", R, P],
  ["git push --force 2>&1 | tail -1", R, P],
  ["true && git push --force", R, P],
  ["false || git push", R, P],
  ["(git push)", R, A],
  ["{ git push; }", R, A],
  ["echo $(git push)", R, P],
  ["echo `git push`", R, P],
  ["bash -c 'git push --force'", R, A],
  ['sh -c "git push"', R, A],
  ["bash -lc 'cd /tmp && git push'", R, P],
  ["sh -c 'sh -c \"git push\"'", R, A],
  ["env FOO=1 git push", R, A],
  ["env -i PATH=/bin git push", R, A],
  ["FOO=1 git push", R, A],
  ["command git push", R, A],
  ["exec git push", R, A],
  ["nohup git push &", R, A],
  ["time git push", R, A],
  ["timeout 10 git push", R, A],
  ["nice -n 5 git push", R, A],
  ["sudo -u root git push", R, A],
  ["/usr/bin/git push", R, A],
  ["'git' push", R, A],
  ["g\\it push", R, A],
  ["git pu\\sh", R, A],
  ['"git" "push"', R, A],
  ["$'git' push", R, A],
  ["git 'push' --force", R, A],
  ["git push # a comment; rm -rf /", R, A],
  ["git push > /dev/null 2>&1", R, A],
  ["! git push", R, A],
  ["git status", P, P],
  ["git status; git push", R, P],
  ["git push && rm -rf ~", R, P],
  ["git push --force & wait", R, P],
  ["git stash && git pull --rebase && git push", R, P],
  ['echo "git push"', P, P],
  ["echo 'a; git push'", P, P],
  ["git status\ngit push", R, P],
  ["if git diff --quiet; then git push; fi", R, P],
  ["for b in main dev; do git push origin $b; done", R, A],
  ["while true; do git push; done", R, P],
  ["git push | cat", R, P],
  ["cat <<EOF\n$(git push)\nEOF", R, P],
  ["cat <<'EOF'\n$(git push)\nEOF", P, P],
  ["diff <(git push) x", R, P],
  ["ls | xargs git push", R, P],
  ["find . -exec git push \\;", R, P],
  ["eval 'git push'", R, A],
  ["echo ${x:-git push}", P, P],
  ["echo ${x:-$(git push)}", R, P],
  ["echo $(( $(git push) + 1 ))", R, P],
  // Lines the parser cannot read (or whose program is known only at run time): never allowed; deny rules still apply to their pieces.
  ["$GIT push", P, P],
  ["{git,push} --force", P, P],
  ['bash -c "$CMD"', P, P],
  ['git push "$(echo unterminated', R, P],
  ["case x in x) git push;; esac", R, P],
  ["f() { git push; }; f", R, P],
];

describe("shell lines under a deny rule and an allow rule", () => {
  it.each(TABLE)("%j", (line, underDeny, underAllow) => {
    expect(judge(line, DENY).decision).toBe(underDeny);
    expect(judge(line, ALLOW).decision).toBe(underAllow);
  });

  it("the table holds every trick the rules must see through", () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });
});

describe("decisions on shell lines", () => {
  it("a deny names the rule and the command it matched", () => {
    expect(judge("npm test && git push --force 2>&1 | tail -1", DENY)).toEqual({
      decision: R,
      origin: { kind: "flag", label: "--deny terminal:git push*" },
      detail: "its command git push --force",
    });
  });

  it("a line is allowed when every command is allowed, by one rule or several", () => {
    const rules = [rule("allow", "npm test*"), rule("allow", "tail *")];
    expect(judge("npm test 2>&1 | tail -5", rules)).toMatchObject({ decision: A, origin: { label: "--allow terminal:npm test*" }, detail: "with --allow terminal:tail * for its other commands" });
    expect(judge("npm test 2>&1 | tail -5 | sh", rules).decision).toBe(P);
  });

  it("brace expansion in the program's place is never allowed, even under a blanket allow", () => {
    expect(judge("{git,push} --force", [rule("deny", "git push*"), rule("allow", undefined, "--allow terminal")]).decision).toBe(P);
    expect(judge("echo {a,b} {1..3} {} x{y}", [rule("allow", "echo *")]).decision).toBe(A);
  });

  it("commands hidden in parameter expansions and arithmetic are found", () => {
    expect(judge("echo ${x:-$(git push --force)}", [rule("allow", "echo *")]).decision).toBe(P);
    expect(judge("echo \"${x:-`git push`}\"", DENY).decision).toBe(R);
  });

  it("an ask rule matching any command asks, even when allow rules cover the line", () => {
    expect(judge("git status && git push", [rule("allow", "git *"), rule("ask", "git push*")]).decision).toBe(P);
  });

  it("a line that cannot be read is asked even under a blanket allow, and says why", () => {
    const all = [rule("allow", undefined, "--allow terminal")];
    expect(judge("ls; $CMD", all)).toEqual({ decision: P, origin: { kind: "default", label: "commands are asked" }, detail: "no rule can allow it: the program is named by an expansion ($CMD)" });
    expect(judge("echo 'unterminated", all).detail).toBe("no rule can allow it: the shell line cannot be read: a single quote is never closed (at character 6)");
    expect(judge("ls -la", all).decision).toBe(A);
  });

  it("argv is read as it is, looking through shells and wrappers (codex sends bash -lc)", () => {
    const subject = terminalSubject(planCommand("bash", ["-lc", "git push --force; true"]));
    expect(subject.commands.map((c) => c.words)).toEqual([["git", "push", "--force"], ["true"]]);
    expect(decide(subject, { rules: DENY.map((r) => compileRule(r, context)), remembered: [] }).decision).toBe(R);
    // With argv, control characters are argument text, not shell syntax.
    expect(commandsOfArgv(["git", "commit", "-m", "fix; git push"]).commands).toEqual([{ words: ["git", "commit", "-m", "fix; git push"] }]);
  });
});

describe("the parser's reading", () => {
  it("quoting, escapes and ANSI-C strings are removed; expansions stay as written", () => {
    expect(commandsOfLine(`printf '%s\\n' "a b" c\\ d $'e\\tf' "$HOME/x"`).commands).toEqual([{ words: ["printf", "%s\\n", "a b", "c d", "e\tf", "$HOME/x"] }]);
  });

  it("here-documents: their bodies are not commands, but substitutions in an unquoted one are", () => {
    expect(commandsOfLine("cat > notes.txt <<'EOF'\nrm -rf /\nEOF\necho done").commands.map((c) => c.words[0])).toEqual(["cat", "echo"]);
    expect(commandsOfLine('git commit -m "$(cat <<\'EOF\'\nfix: x\nEOF\n)"').commands.map((c) => c.words[0])).toEqual(["cat", "git"]);
  });

  it("the files a line writes by name: redirections and tee, not descriptors, /dev/null or expansions", () => {
    expect(commandsOfLine("echo x > a.txt 2>&1 | tee -a b.txt >/dev/null; cat <<EOF >> c.txt\nbody\nEOF\necho > $F").writes).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(commandsOfLine("(echo x) >| d.txt && { ls; } &> e.txt; sort < in.txt").writes).toEqual(["d.txt", "e.txt"]);
    expect(commandsOfArgv(["bash", "-lc", "echo x > .git/hooks/pre-commit"]).writes).toEqual([".git/hooks/pre-commit"]);
  });

  it("names what it cannot read", () => {
    expect(commandsOfLine("echo (")).toMatchObject({ readable: false, problem: expect.stringContaining("the shell line cannot be read") });
    expect(commandsOfLine("if true; then echo").problem).toBe("the shell line cannot be read: expected fi, got the end of the line (at character 18)");
    expect(commandsOfLine("echo $(".repeat(40) + ")".repeat(40))).toMatchObject({ readable: false });
  });
});
