package studio.engine.search;

/**
 * A batch size, chunk count and TP range (search-engine spec §6.2): the sub-searches one thread runs together, sharing
 * their knapsacks.
 *
 * @param index  position in Galvatron's task order (ties of the memory report go to the first)
 */
record TaskGroup(int index, int globalBatch, int chunks, int minTp, int maxTp) {
}
