package notify

import "fmt"

// idCarrier is implemented by every channel of this package: whether the channel hands
// Notification.ID to the receiver in a form it can deduplicate on.
type idCarrier interface {
	carriesID() bool
}

// CarriesID reports whether ch sends the notification's ID where the receiver can deduplicate
// on it: webhooks (Idempotency-Key, and webhook-id when signing the Standard Webhooks way),
// email (Message-ID), scripts (OZMON_NOTIFICATION_ID), PagerDuty (dedup_key) and Opsgenie
// (alias, while the alert is open). Slack, Discord, Telegram, Teams and Datadog have no such
// field, so a message sent twice shows twice (a Datadog event rolls up under its
// aggregation_key, but is still shown twice). The delivery handler uses it to decide
// what to do when it cannot tell whether an attempt reached the receiver: resending is safe
// only where duplicates collapse. A Channel from outside this package reports false.
func CarriesID(ch Channel) bool {
	c, ok := ch.(idCarrier)
	return ok && c.carriesID()
}

func (*webhookChannel) carriesID() bool   { return true }
func (*emailChannel) carriesID() bool     { return true }
func (*scriptChannel) carriesID() bool    { return true }
func (*slackChannel) carriesID() bool     { return false }
func (*discordChannel) carriesID() bool   { return false }
func (*telegramChannel) carriesID() bool  { return false }
func (*pagerDutyChannel) carriesID() bool { return true } // dedup_key
func (*opsgenieChannel) carriesID() bool  { return true } // alias
func (*datadogChannel) carriesID() bool   { return false }
func (*teamsChannel) carriesID() bool     { return false }

// maxIDLen bounds Notification.ID; ids are short ("ntf_" and 32 hex digits), and a bound keeps
// a Message-ID line well under the 998-byte limit of RFC 5322.
const maxIDLen = 200

// checkID refuses an id that could not travel unchanged in every carrier: an HTTP header
// value, an RFC 5322 Message-ID (dot-atom) and an environment variable. Letters, digits, '_'
// and '-' are safe in all three, and no line break can end a header early. A refused id is
// a bug upstream, so channels fail permanently rather than send without it.
func checkID(id string) error {
	if len(id) > maxIDLen {
		return fmt.Errorf("notification ID is %d bytes, more than %d", len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return fmt.Errorf("notification ID %q has a character other than a letter, digit, '_' or '-'", id)
		}
	}
	return nil
}
