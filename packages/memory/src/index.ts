/**
 * @memrec/memory: memory-network layers for recommendation.
 * - {@link KeyValueMemory}: NMRN's key-value memory (Wang et al., KDD 2018).
 * - {@link CollaborativeMemory}: CMN's collaborative memory (Ebesu et al., SIGIR 2018).
 * - {@link FifoItemMemory}: the last K items per user, read by attention (RUM, Chen et al., WSDM 2018).
 * - {@link GatedKeyValueMemory}: per-user values with gated writes (KSR, Huang et al., SIGIR 2018).
 * - {@link GruLayer}: a GRU whose input side is a sparse table (GRU4Rec, Hidasi et al., ICLR 2016).
 * - {@link facetPool}: K attention-pooled facets of a user's items (MARS, Zheng et al., DSAA 2019).
 * - {@link episodicRead}: multi-hop episodic attention with a gated query update (DMN, Gligorijevic et al., SIGIR 2018).
 */
export { KeyValueMemory, type KeyValueMemoryOptions, type KvTrainOptions, type HostScorer } from './key-value-memory';
export { kvAddress, kvRead, kvDistance, kvEraseAdd, kvBatchedDelta, DIST_EPS, type AddressMetric } from './kv-ops';
export { ValueMemory } from './value-memory';
export { stopGradient } from './dense';
export { CollaborativeMemory, type CollaborativeMemoryOptions } from './collaborative-memory';
export { SparseRmsProp, DenseRmsProp, type RmsPropConfig } from './rmsprop';
export { cmnForward, cmnHop, maskedSoftmax, type CmnInputs, type CmnWeights } from './cmn-ops';
export { Neighbourhoods, type NeighbourhoodsOptions, type PaddedNeighbourhoods } from './neighbourhoods';
export { FifoItemMemory, type FifoItemMemoryOptions, type FifoWindow } from './fifo-memory';
export { fifoRead, fifoReadHost } from './fifo-ops';
export { GatedKeyValueMemory, type GatedKeyValueMemoryOptions } from './gated-kv-memory';
export { gatedRead, gatedWrite } from './gated-ops';
export { GruLayer, gruCell, type GruLayerOptions } from './gru';
export { facetPool, facetPoolHost } from './facet-ops';
export { episodicRead, episodicReadHost, episodicQueryGate, type EpisodicWeights, type EpisodicHostInputs } from './episodic-ops';
export { episodicScoresHost, EpisodicGateCache, type EpisodicScoreInputs } from './episodic-scores';
