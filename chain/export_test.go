package chain

// The codec's tests live in package chain_test because they decode real
// ledgers through chain/stellar, which imports chain; these names give them
// the format's version byte and depth bound without exporting either.
const (
	BinaryVersion = binaryVersion
	MaxValueDepth = maxValueDepth
)
