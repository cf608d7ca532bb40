package notify

// CarriesID reports whether ch sends the notification id where the
// receiver can deduplicate on it (webhook, email, script).
func CarriesID(ch Channel) bool {
	switch ch.(type) {
	case *Webhook, *Email, *Script:
		return true
	}
	return false
}
