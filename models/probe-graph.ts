import { GraphBuilder } from './onnx-graph.js';

/** One Relu: the smallest graph an execution provider must accept, so that trying one costs nothing. */
export function providerProbeGraph(): Uint8Array {
  const g = new GraphBuilder({ name: 'vidmem-provider-probe' });
  const x = g.input('x', 'float32', [1]);
  g.output(g.node('Relu', [x], {}, 'y'), 'float32', [1]);
  return g.toBytes();
}
