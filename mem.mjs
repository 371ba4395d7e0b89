import * as ort from 'onnxruntime-node';
const hwm = () => { const s = (await_fs.readFileSync('/proc/self/status','utf8')); return [s.match(/VmRSS:\s+(\d+)/)[1]/1024|0, s.match(/VmHWM:\s+(\d+)/)[1]/1024|0]; };
import * as await_fs from 'node:fs';
const opts = JSON.parse(process.argv[2] || '{}');
console.log('start', hwm());
const s = await ort.InferenceSession.create('/tmp/vcache/builtin/vit-b32-shape/onnx/vision_model.onnx', {executionProviders:['cpu'], graphOptimizationLevel:'all', ...opts});
console.log('loaded', hwm());
const x = new ort.Tensor('float32', new Float32Array(8*3*224*224), [8,3,224,224]);
await s.run({pixel_values: x}); console.log('run', hwm());
