/** What a store records about the model that made its vectors. */
export interface ModelIdentity {
  /** For people: the name the model was last reached by (`palette`, a repo id, a folder). */
  readonly name: string;
  readonly dim: number;
  /** sha256 of the vision graph: what decides whether two models are the same. */
  readonly fingerprint: string;
}
