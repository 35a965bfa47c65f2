// The process tests start several nodes and a database each; on a two-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
