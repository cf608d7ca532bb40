package tasks

// CompressForTest compresses raw bytes with c's encoder, to forge records.
func CompressForTest(c *DeliverCodec, b []byte) []byte { return c.enc.EncodeAll(b, nil) }
