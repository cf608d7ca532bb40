package console

import (
	"net/url"
	"strings"
)

// maskSecrets returns v with every value that is or may be a secret
// masked: under a key naming one (url, token, password, secret, key…), or
// an OZ secret object ({"type": "plain", "value": …}). URLs keep their
// scheme and host so a tenant recognises the destination; the path,
// where Slack and Discord put their tokens, is dropped. The API redacts
// trigger secrets already; this is the console's own guarantee.
func maskSecrets(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		if t, ok := x["type"].(string); ok && (t == "plain" || t == "environment" || t == "hashicorp_cloud_vault") {
			for k, val := range x {
				if k == "value" {
					out[k] = mask(val, key)
				} else {
					out[k] = val
				}
			}
			return out
		}
		for k, val := range x {
			if secretKey(k) {
				out[k] = mask(val, k)
			} else {
				out[k] = maskSecrets(val, k)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = maskSecrets(val, key)
		}
		return out
	}
	return v
}

func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"url", "token", "password", "secret", "key", "authorization", "webhook", "headers", "chat_id"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// mask hides a secret value, keeping a URL's scheme and host.
func mask(v any, key string) any {
	switch x := v.(type) {
	case string:
		if u, err := url.Parse(x); err == nil && u.Scheme != "" && u.Host != "" {
			return u.Scheme + "://" + u.Hostname() + "/…(hidden)"
		}
		if x == "" {
			return ""
		}
		return "…(hidden)"
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if _, ok := val.(map[string]any); ok {
				out[k] = mask(val, k)
			} else if k == "type" {
				out[k] = val
			} else {
				out[k] = mask(val, k)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			out[i] = mask(val, key)
		}
		return out
	case nil:
		return nil
	}
	return "…(hidden)"
}
