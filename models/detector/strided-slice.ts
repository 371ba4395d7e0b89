/**
 * TensorFlow's StridedSlice, with its five masks, resolved against a known input shape into one
 * ONNX Slice plus the shape the result must be reshaped to. It follows TF's own BuildDenseSpec
 * and canonicalization (strided_slice_op.cc): an ellipsis (explicit, or implied at the end)
 * expands to whole dimensions, new_axis inserts a size-1 dimension, shrink_axis takes one index
 * and drops the dimension. Inserting and dropping size-1 dimensions never reorders elements,
 * which is why one Reshape covers both.
 */

export interface StridedSliceMasks {
  readonly begin: number;
  readonly end: number;
  readonly ellipsis: number;
  readonly newAxis: number;
  readonly shrinkAxis: number;
}

export interface SlicePlan {
  /** ONNX Slice inputs for the axes that are not taken whole; undefined when none are cut. */
  readonly slice?: {
    readonly starts: readonly number[];
    readonly ends: readonly number[];
    readonly axes: readonly number[];
    readonly steps: readonly number[];
  };
  /** Shape after the Slice, same rank as the input. */
  readonly slicedShape: readonly number[];
  /** TF's output shape: new axes in, shrunk axes out. */
  readonly outputShape: readonly number[];
}

interface DenseAxis {
  readonly begin: number;
  readonly end: number;
  readonly stride: number;
  readonly beginMasked: boolean;
  readonly endMasked: boolean;
  readonly shrink: boolean;
}

/** What each entry of the output shape comes from: an input axis, or a new size-1 axis. */
type FinalAxis = number | 'new';

const bit = (mask: number, i: number): boolean => (mask & (1 << i)) !== 0;

function denseSpec(
  rank: number,
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: StridedSliceMasks,
): { dense: DenseAxis[]; final: FinalAxis[] } {
  if (begin.length !== end.length || begin.length !== strides.length) {
    throw new Error('StridedSlice: begin, end and strides differ in length');
  }
  let ellipsis = masks.ellipsis;
  if (ellipsis & (ellipsis - 1)) throw new Error('StridedSlice: more than one ellipsis');
  let sparseDims = begin.length;
  let ellipsisSeen = false;
  let newAxesAfterEllipsis = 0;
  for (let i = 0; i < sparseDims; i++) {
    if (ellipsisSeen && bit(masks.newAxis, i)) newAxesAfterEllipsis++;
    if (bit(ellipsis, i)) ellipsisSeen = true;
  }
  // Without an ellipsis TF appends one, so the trailing dimensions are taken whole.
  if (!ellipsisSeen) {
    ellipsis |= 1 << sparseDims;
    sparseDims++;
  }

  const whole = (): DenseAxis => ({ begin: 0, end: 0, stride: 1, beginMasked: true, endMasked: true, shrink: false });
  const dense: DenseAxis[] = [];
  const final: FinalAxis[] = [];
  for (let i = 0; i < sparseDims; i++) {
    if (bit(ellipsis, i)) {
      const next = Math.min(rank - (sparseDims - i) + 1 + newAxesAfterEllipsis, rank);
      while (dense.length < next) {
        final.push(dense.length);
        dense.push(whole());
      }
    } else if (bit(masks.newAxis, i)) {
      final.push('new');
    } else {
      if (dense.length === rank) throw new Error(`StridedSlice: index ${i} is beyond the input's ${rank} dimensions`);
      const shrink = bit(masks.shrinkAxis, i);
      if (!shrink) final.push(dense.length);
      dense.push({
        begin: begin[i]!,
        end: end[i]!,
        stride: strides[i]!,
        beginMasked: bit(masks.begin, i),
        endMasked: bit(masks.end, i),
        shrink,
      });
    }
  }
  return { dense, final };
}

export function planStridedSlice(
  shape: readonly number[],
  begin: readonly number[],
  end: readonly number[],
  strides: readonly number[],
  masks: StridedSliceMasks,
): SlicePlan {
  const { dense, final } = denseSpec(shape.length, begin, end, strides, masks);
  const starts: number[] = [];
  const ends: number[] = [];
  const axes: number[] = [];
  const steps: number[] = [];
  const slicedShape = dense.map((axis, i) => {
    const dim = shape[i]!;
    const { stride } = axis;
    if (stride === 0) throw new Error('StridedSlice: stride 0');
    let first: number;
    let last: number;
    if (axis.shrink) {
      if (stride < 0) throw new Error('StridedSlice: only a positive stride may shrink an axis');
      first = axis.begin < 0 ? dim + axis.begin : axis.begin;
      if (first < 0 || first >= dim) throw new Error(`StridedSlice: index ${axis.begin} is out of bounds for size ${dim}`);
      last = first + 1;
    } else {
      // TF's canonical(): masked ends go to the extremes of the walk, others are clamped to them.
      const low = stride > 0 ? 0 : -1;
      const high = stride > 0 ? dim : dim - 1;
      const canonical = (x: number, masked: boolean, which: 'begin' | 'end'): number => {
        if (masked) return (which === 'begin') === stride > 0 ? low : high;
        const forward = x < 0 ? dim + x : x;
        return Math.min(high, Math.max(low, forward));
      };
      first = canonical(axis.begin, axis.beginMasked, 'begin');
      last = canonical(axis.end, axis.endMasked, 'end');
    }
    const length = last - first;
    const size = length === 0 || length < 0 !== stride < 0 ? 0 : Math.ceil(length / stride);
    if (!(first === 0 && last === dim && stride === 1)) {
      starts.push(first);
      // ONNX reads a negative end as counted from the back; -1 here means "before index 0", which
      // ONNX spells as anything below -dim.
      ends.push(last < 0 ? -dim - 1 : last);
      axes.push(i);
      steps.push(stride);
    }
    return size;
  });
  const outputShape = final.map((axis) => (axis === 'new' ? 1 : slicedShape[axis]!));
  return { ...(axes.length > 0 ? { slice: { starts, ends, axes, steps } } : {}), slicedShape, outputShape };
}
