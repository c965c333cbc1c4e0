// Runtime paths never reach the editor: session updates are mapped to host paths on their way.
import type { BridgeContext } from "./context.js";
import { sessionUpdateToHost } from "./path-translate.js";

export function installPathTranslation(context: BridgeContext): void {
  context.relay.onNotification(
    "agent",
    "session/update",
    (message) => {
      const map = context.sandbox().pathMap;
      return map.isIdentity ? message : sessionUpdateToHost(message, map);
    },
    // Agent messages arrive only once the sandbox runs; with the identity map nothing is rewritten, so no parse.
    { unchanged: () => context.sandbox().pathMap.isIdentity },
  );
}
