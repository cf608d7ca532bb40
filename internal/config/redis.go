package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisTopology is the shape of the Redis deployment redis_url names.
type RedisTopology string

const (
	// RedisSingle is one server (redis://, rediss://, unix://).
	RedisSingle RedisTopology = "single"
	// RedisSentinel is a primary with replicas that Redis Sentinel
	// watches and fails over (redis+sentinel://, rediss+sentinel://).
	RedisSentinel RedisTopology = "sentinel"
	// RedisCluster is a Redis Cluster (redis+cluster://, rediss+cluster://).
	RedisCluster RedisTopology = "cluster"
)

// RedisTarget is a parsed redis_url: the topology and the go-redis
// options of exactly one of Single, Sentinel and Cluster.
type RedisTarget struct {
	Topology RedisTopology
	Single   *redis.Options
	Sentinel *redis.FailoverOptions
	Cluster  *redis.ClusterOptions
}

// NewClient opens a client of the target's topology; every role uses it
// through redis.UniversalClient, as asynq does.
func (t RedisTarget) NewClient() redis.UniversalClient {
	switch t.Topology {
	case RedisSentinel:
		return redis.NewFailoverClient(t.Sentinel)
	case RedisCluster:
		return redis.NewClusterClient(t.Cluster)
	default:
		return redis.NewClient(t.Single)
	}
}

// String names the topology and its seed addresses, never credentials:
// for logs and errors.
func (t RedisTarget) String() string {
	switch t.Topology {
	case RedisSentinel:
		return fmt.Sprintf("sentinel master %q via %s", t.Sentinel.MasterName, strings.Join(t.Sentinel.SentinelAddrs, ","))
	case RedisCluster:
		return "cluster via " + strings.Join(t.Cluster.Addrs, ",")
	default:
		return t.Single.Addr
	}
}

// ParseRedisURL reads redis_url. Three forms:
//
//	redis://[user:password@]host:port[/db][?option=…]        one server (also rediss://, unix://)
//	redis+sentinel://[user:password@]s1:26379[,s2:26379…]/<master>[/db][?option=…]
//	redis+cluster://[user:password@]n1:6379[,n2:6379…][?option=…]
//
// (rediss+sentinel:// and rediss+cluster:// use TLS). In the Sentinel form
// user and password are the data nodes' credentials, as in redis://; the
// sentinels' own are the options sentinel_username and sentinel_password.
// A Cluster has no database number. The other options are go-redis's URL
// options (dial_timeout, read_timeout, pool_size, max_retries …). Errors
// never carry the password. A Cluster URL also takes
// cluster_state_reload_interval (default DefaultClusterStateReload).
func ParseRedisURL(raw string) (RedisTarget, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return RedisTarget{}, errors.New("redis_url: not a URL (want redis://, redis+sentinel:// or redis+cluster://)")
	}
	switch strings.ToLower(scheme) {
	case "redis", "rediss", "unix":
		o, err := redis.ParseURL(raw)
		if err != nil {
			return RedisTarget{}, fmt.Errorf("redis_url: %w", redactURLError(err, raw))
		}
		return RedisTarget{Topology: RedisSingle, Single: o}, nil
	case "redis+sentinel", "rediss+sentinel":
		return parseSentinel(raw, strings.TrimSuffix(strings.ToLower(scheme), "+sentinel"), rest)
	case "redis+cluster", "rediss+cluster":
		return parseCluster(raw, strings.TrimSuffix(strings.ToLower(scheme), "+cluster"), rest)
	}
	return RedisTarget{}, fmt.Errorf("redis_url: scheme %q is not redis, rediss, unix, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster", scheme)
}

// multiHost is the part of a multi-host URL after the scheme.
type multiHost struct {
	user  *url.Userinfo
	hosts []string
	path  string
	query url.Values
}

// splitMultiHost reads [user:password@]h1:p1,h2:p2[/path][?query]; a
// host without a port gets defPort.
func splitMultiHost(rest, defPort string) (multiHost, error) {
	var m multiHost
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		// Parsed by net/url so that percent-encoding works as in redis://.
		u, err := url.Parse("redis://" + authority[:i+1] + "x")
		if err != nil {
			return m, errors.New("the user and password part is not valid URL userinfo (percent-encode reserved characters)")
		}
		m.user, authority = u.User, authority[i+1:]
	}
	if authority == "" {
		return m, errors.New("no host")
	}
	for h := range strings.SplitSeq(authority, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			if !strings.Contains(err.Error(), "missing port") {
				return m, fmt.Errorf("host %q: %v", h, err)
			}
			host, port = h, defPort
		}
		if host == "" {
			return m, fmt.Errorf("host %q: empty host name", h)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return m, fmt.Errorf("host %q: port %q is not a TCP port", h, port)
		}
		m.hosts = append(m.hosts, net.JoinHostPort(host, port))
	}
	path, query, _ := strings.Cut(tail, "?")
	m.path = path
	q, err := url.ParseQuery(query)
	if err != nil {
		return m, fmt.Errorf("options: %v", err)
	}
	m.query = q
	return m, nil
}

// goRedisURL rebuilds a single-host URL of go-redis's multi-host form
// (extra hosts as addr= options) for its own parsers.
func (m multiHost) goRedisURL(scheme, path string) string {
	q := url.Values{}
	for k, v := range m.query {
		q[k] = v
	}
	for _, h := range m.hosts[1:] {
		q.Add("addr", h)
	}
	u := url.URL{Scheme: scheme, Host: m.hosts[0], Path: path, RawQuery: q.Encode()}
	return u.String()
}

func parseSentinel(raw, scheme, rest string) (RedisTarget, error) {
	fail := func(err error) (RedisTarget, error) {
		return RedisTarget{}, fmt.Errorf("redis_url (sentinel): %w", redactURLError(err, raw))
	}
	m, err := splitMultiHost(rest, "26379")
	if err != nil {
		return fail(err)
	}
	parts := strings.FieldsFunc(m.path, func(r rune) bool { return r == '/' })
	if len(parts) == 0 || len(parts) > 2 {
		return fail(errors.New("the path must be /<master name>[/<db>], e.g. redis+sentinel://s1:26379,s2:26379/mymaster/0"))
	}
	master, err := url.PathUnescape(parts[0])
	if err != nil || master == "" {
		return fail(fmt.Errorf("master name %q is not valid", parts[0]))
	}
	db := ""
	if len(parts) == 2 {
		db = "/" + parts[1]
	}
	for _, k := range []string{"master_name", "username", "password"} {
		if m.query.Has(k) {
			return fail(fmt.Errorf("option %s is not accepted here: the master is the path, the data nodes' credentials the URL's user:password", k))
		}
	}
	sUser, sPass := m.query.Get("sentinel_username"), m.query.Get("sentinel_password")
	m.query.Del("sentinel_username")
	m.query.Del("sentinel_password")
	m.query.Set("master_name", master)
	o, err := redis.ParseFailoverURL(m.goRedisURL(scheme, db))
	if err != nil {
		return fail(err)
	}
	o.SentinelUsername, o.SentinelPassword = sUser, sPass
	if m.user != nil {
		o.Username = m.user.Username()
		o.Password, _ = m.user.Password()
	}
	return RedisTarget{Topology: RedisSentinel, Sentinel: o}, nil
}

// DefaultClusterStateReload is how often a cluster client re-reads the
// slot map when nothing forces it to. go-redis re-reads it at once on a
// MOVED reply, but a primary that died answers nothing: until the next
// read the client keeps dialling it. go-redis's default is 60 s, which
// would add up to a minute to every failover; one CLUSTER SLOTS every 2 s
// per process costs next to nothing.
const DefaultClusterStateReload = 2 * time.Second

func parseCluster(raw, scheme, rest string) (RedisTarget, error) {
	fail := func(err error) (RedisTarget, error) {
		return RedisTarget{}, fmt.Errorf("redis_url (cluster): %w", redactURLError(err, raw))
	}
	m, err := splitMultiHost(rest, "6379")
	if err != nil {
		return fail(err)
	}
	if p := strings.Trim(m.path, "/"); p != "" && p != "0" {
		return fail(fmt.Errorf("path %q: a Redis Cluster has only database 0", m.path))
	}
	reload := DefaultClusterStateReload
	if v := m.query.Get("cluster_state_reload_interval"); v != "" {
		var d Duration
		if err := d.UnmarshalText([]byte(v)); err != nil || d <= 0 {
			return fail(fmt.Errorf("option cluster_state_reload_interval: %q is not a positive duration", v))
		}
		reload = d.D()
	}
	m.query.Del("cluster_state_reload_interval")
	o, err := redis.ParseClusterURL(m.goRedisURL(scheme, ""))
	if err != nil {
		return fail(err)
	}
	o.ClusterStateReloadInterval = reload
	if m.user != nil {
		o.Username = m.user.Username()
		o.Password, _ = m.user.Password()
	}
	return RedisTarget{Topology: RedisCluster, Cluster: o}, nil
}

// redactURLError keeps the URL and its secrets (the password, a
// sentinel_password option) out of an error.
func redactURLError(err error, raw string) error {
	msg := err.Error()
	if raw != "" {
		msg = strings.ReplaceAll(msg, raw, "<redis_url>")
	}
	for _, secret := range urlSecrets(raw) {
		if secret != "" {
			msg = strings.ReplaceAll(msg, secret, "<redacted>")
		}
	}
	return errors.New(msg)
}

// urlSecrets finds the password and sentinel_password of a redis_url,
// raw and unescaped, without trusting the URL to parse.
func urlSecrets(raw string) []string {
	var out []string
	_, rest, _ := strings.Cut(raw, "://")
	authority := rest
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		if _, pw, ok := strings.Cut(authority[:i], ":"); ok {
			out = append(out, pw)
			if u, err := url.PathUnescape(pw); err == nil {
				out = append(out, u)
			}
		}
	}
	if _, query, ok := strings.Cut(rest, "?"); ok {
		for kv := range strings.SplitSeq(query, "&") {
			if k, v, _ := strings.Cut(kv, "="); k == "sentinel_password" || k == "password" {
				out = append(out, v)
				if u, err := url.QueryUnescape(v); err == nil {
					out = append(out, u)
				}
			}
		}
	}
	return out
}
