// Where the network appears inside every sandbox: the proxy's and the gateway's loopback ports, the preload's directory.
export const INSIDE_DIR = "/tmp/.acp-sandbox-net";
export const PROXY_PORT = 3128;
export const GATEWAY_PORT = 3129;
export const PRELOAD_FILE = "preload.cjs";
export const FORWARDER_FILE = "forward.cjs";

export const PROXY_URL = `http://127.0.0.1:${PROXY_PORT}`;
export const GATEWAY_URL = `http://127.0.0.1:${GATEWAY_PORT}`;

/**
 * What every process inside gets with `--network allow`: the proxy in both spellings, loopback left direct,
 * Node's own switch for it (22.21 and later) and the preload for older Nodes.
 */
export function proxyEnvironment(existingNodeOptions: string | undefined): Record<string, string> {
  const noProxy = "localhost,127.0.0.1,::1";
  const preload = `--require ${INSIDE_DIR}/${PRELOAD_FILE}`;
  return {
    HTTP_PROXY: PROXY_URL,
    HTTPS_PROXY: PROXY_URL,
    ALL_PROXY: PROXY_URL,
    NO_PROXY: noProxy,
    http_proxy: PROXY_URL,
    https_proxy: PROXY_URL,
    all_proxy: PROXY_URL,
    no_proxy: noProxy,
    NODE_USE_ENV_PROXY: "1",
    NODE_OPTIONS: existingNodeOptions ? `${existingNodeOptions} ${preload}` : preload,
  };
}
