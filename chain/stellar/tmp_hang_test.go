package stellar

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestTmpHang(t *testing.T) {
	seeds := [][]byte{marshal(t, craftLCM(t, 2, true, classicTx(), feeBumpTx(4))), firstMainnetLedger(t)}
	rng := rand.New(rand.NewPCG(3, 4))
	for si, s := range seeds {
		for k := 0; k < 200; k++ {
			b := append([]byte{}, s...)
			for m := 0; m < 1+rng.IntN(5); m++ {
				switch rng.IntN(4) {
				case 0:
					b[rng.IntN(len(b))] = byte(rng.IntN(256))
				case 1:
					i := rng.IntN(len(b))
					b = append(b[:i], append([]byte{byte(rng.IntN(256)), 0xff, 0xff, 0xff}, b[i:]...)...)
				case 2:
					i := rng.IntN(len(b))
					j := i + rng.IntN(min(50, len(b)-i))
					b = append(b[:i], b[j:]...)
				case 3:
					i := rng.IntN(len(b) - 4)
					b[i], b[i+1], b[i+2], b[i+3] = 0x7f, 0xff, 0xff, 0xff
				}
			}
			start := time.Now()
			DecodeLedgerXDR("testnet", testPassphrase, b)
			if d := time.Since(start); d > 500*time.Millisecond {
				t.Logf("seed %d mutation %d: %v", si, k, d)
			}
		}
	}
}
