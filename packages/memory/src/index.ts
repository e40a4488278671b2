/**
 * @memrec/memory: memory-network layers for recommendation.
 * - {@link KeyValueMemory}: NMRN's key-value memory (Wang et al., KDD 2018).
 * - {@link CollaborativeMemory}: CMN's collaborative memory (Ebesu et al., SIGIR 2018).
 */
export { KeyValueMemory, type KeyValueMemoryOptions, type KvTrainOptions, type HostScorer } from './key-value-memory';
export { kvAddress, kvRead, kvDistance, kvEraseAdd, kvBatchedDelta, DIST_EPS, type AddressMetric } from './kv-ops';
export { ValueMemory } from './value-memory';
export { stopGradient } from './dense';
export { CollaborativeMemory, type CollaborativeMemoryOptions } from './collaborative-memory';
export { SparseRmsProp, DenseRmsProp, type RmsPropConfig } from './rmsprop';
export { cmnForward, cmnHop, maskedSoftmax, type CmnInputs, type CmnWeights } from './cmn-ops';
export { Neighbourhoods, type NeighbourhoodsOptions, type PaddedNeighbourhoods } from './neighbourhoods';
