// The syntax tree of a POSIX shell line as the shell parser reads it: lists, and-or chains, pipelines, commands, words.

/** One word as the shell would see it after quote removal. */
export interface Word {
  /** The value after quote removal; expansions stay as written (`$HOME`, `$(…)`). */
  readonly text: string;
  /** As written in the line. */
  readonly raw: string;
  /** Holds a parameter expansion, a command substitution, arithmetic or an unquoted glob: its value is known only when it runs. */
  readonly dynamic: boolean;
  /** Some part of it was quoted or escaped (so it is never a reserved word). */
  readonly quoted: boolean;
  /** `NAME` when the word is `NAME=value` with an unquoted `=`: an assignment in command position. */
  readonly assigns?: string;
  /** Command substitutions and process substitutions inside it, parsed. */
  readonly substitutions: readonly Script[];
}

export interface Redirect {
  readonly op: string;
  readonly fd?: number;
  readonly target: Word;
  /** For `<<` and `<<-`: the document's body (substitutions inside an unquoted one run). */
  body?: Word;
}

export type Command =
  | { readonly type: "simple"; readonly assignments: readonly Word[]; readonly words: readonly Word[]; readonly redirects: readonly Redirect[] }
  | { readonly type: "subshell" | "group"; readonly body: Script; readonly redirects: readonly Redirect[] }
  /** if/while/until/for: every list inside (conditions and bodies) runs, or may. */
  | { readonly type: "compound"; readonly keyword: string; readonly parts: readonly Script[]; readonly words: readonly Word[]; readonly redirects: readonly Redirect[] };

export interface Pipeline {
  readonly negated: boolean;
  readonly commands: readonly Command[];
}

export interface AndOr {
  readonly pipelines: readonly Pipeline[];
  /** The operators between them: `&&` or `||`. */
  readonly ops: readonly string[];
}

/** A list: and-or chains separated by `;`, `&` or newlines. */
export interface Script {
  readonly items: ReadonlyArray<{ readonly chain: AndOr; readonly background: boolean }>;
}
