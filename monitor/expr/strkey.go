package expr

// isStellarAddress reports whether s is a valid G… (ed25519 public key) or
// C… (contract) strkey: 56 upper-case base32 characters decoding to a
// version byte, 32 payload bytes and a CRC16-XModem checksum. After path
// traversal such strings get kind Address instead of String.
func isStellarAddress(s string) bool {
	if len(s) != 56 {
		return false
	}
	var raw [35]byte
	var acc uint64
	bits, n := 0, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v byte
		switch {
		case 'A' <= c && c <= 'Z':
			v = c - 'A'
		case '2' <= c && c <= '7':
			v = c - '2' + 26
		default:
			return false
		}
		acc = acc<<5 | uint64(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			raw[n] = byte(acc >> uint(bits))
			n++
		}
	}
	switch raw[0] {
	case 6 << 3, 2 << 3: // G (account ID), C (contract)
	default:
		return false
	}
	sum := crc16XModem(raw[:33])
	return raw[33] == byte(sum) && raw[34] == byte(sum>>8)
}

func crc16XModem(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc ^= uint16(c) << 8
		for i := 0; i < 8; i++ {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
