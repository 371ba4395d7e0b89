/**
 * TF op attributes whose ONNX meaning takes a decision: which activation a fused convolution
 * applies after its bias, and which coordinate mapping a bilinear resize uses.
 */

export type Activation =
  | { readonly kind: 'Relu' | 'Relu6' | 'Elu' | 'Sigmoid' }
  | { readonly kind: 'LeakyRelu'; readonly alpha: number }
  /** Its slopes are the fused op's second extra argument. */
  | { readonly kind: 'Prelu' };

const SIMPLE = new Map<string, 'Relu' | 'Relu6' | 'Elu' | 'Sigmoid'>([
  ['relu', 'Relu'],
  ['relu6', 'Relu6'],
  ['elu', 'Elu'],
  ['sigmoid', 'Sigmoid'],
]);

/**
 * `fused_ops` of _FusedConv2D / FusedDepthwiseConv2dNative, as grappler writes them and tfjs
 * runs them: BiasAdd (the first extra argument), then at most one activation. tfjs itself
 * refuses FusedBatchNorm here, and so does this.
 */
export function fusedActivation(fusedOps: readonly string[], numArgs: number, leakyReluAlpha: number): Activation | undefined {
  const [first, second, ...rest] = fusedOps.map((op) => op.toLowerCase());
  if (first !== 'biasadd' || rest.length > 0) throw new Error(`fused ops [${fusedOps.join(', ')}] are not supported (BiasAdd, then one activation)`);
  const expectedArgs = second === 'prelu' ? 2 : 1;
  if (numArgs !== expectedArgs) throw new Error(`fused ops [${fusedOps.join(', ')}] need ${expectedArgs} extra arguments, the node has ${numArgs}`);
  if (second === undefined) return undefined;
  if (second === 'prelu') return { kind: 'Prelu' };
  if (second === 'leakyrelu') return { kind: 'LeakyRelu', alpha: leakyReluAlpha };
  const kind = SIMPLE.get(second);
  if (!kind) throw new Error(`fused activation ${second} is not supported`);
  return { kind };
}

/**
 * ResizeBilinear's flags as ONNX Resize's coordinate_transformation_mode. TF's legacy default
 * (neither flag) maps output pixel x to input x·in/out, ONNX's `asymmetric`; half_pixel_centers
 * maps (x + ½)·in/out − ½ and clamps at the border, ONNX's `half_pixel`; align_corners maps
 * x·(in − 1)/(out − 1), ONNX's `align_corners`.
 */
export function resizeCoordinateMode(alignCorners: boolean, halfPixelCenters: boolean): 'asymmetric' | 'half_pixel' | 'align_corners' {
  if (alignCorners && halfPixelCenters) throw new Error('ResizeBilinear: align_corners and half_pixel_centers cannot both be set');
  if (alignCorners) return 'align_corners';
  return halfPixelCenters ? 'half_pixel' : 'asymmetric';
}
