/** What a store records about the model that made its vectors. */
export interface ModelIdentity {
  /** The name the user gave (`palette`, `Xenova/clip-vit-base-patch32`, a folder). */
  readonly name: string;
  readonly dim: number;
  /** sha256 of the vision graph: two folders with the same name but other weights differ here. */
  readonly fingerprint: string;
}
