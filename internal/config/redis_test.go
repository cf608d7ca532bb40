package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRedisURLSingle(t *testing.T) {
	tg, err := ParseRedisURL("redis://user:pw@cache.internal:6380/3?dial_timeout=2s")
	if err != nil {
		t.Fatal(err)
	}
	if tg.Topology != RedisSingle || tg.Single.Addr != "cache.internal:6380" || tg.Single.DB != 3 ||
		tg.Single.Username != "user" || tg.Single.Password != "pw" || tg.Single.DialTimeout != 2*time.Second {
		t.Fatalf("got %+v", tg.Single)
	}
	if tg.String() != "cache.internal:6380" {
		t.Fatalf("String() = %q", tg.String())
	}
}

func TestParseRedisURLSentinel(t *testing.T) {
	tg, err := ParseRedisURL("redis+sentinel://app:s%40cret@s1:26379,s2,10.0.0.3:26380/my-primary/2?sentinel_password=sp&dial_timeout=3s&pool_size=40")
	if err != nil {
		t.Fatal(err)
	}
	o := tg.Sentinel
	if tg.Topology != RedisSentinel || o.MasterName != "my-primary" || o.DB != 2 {
		t.Fatalf("topology %s master %q db %d", tg.Topology, o.MasterName, o.DB)
	}
	if want := []string{"s1:26379", "s2:26379", "10.0.0.3:26380"}; !slices.Equal(o.SentinelAddrs, want) {
		t.Fatalf("sentinels %v, want %v", o.SentinelAddrs, want)
	}
	if o.Username != "app" || o.Password != "s@cret" || o.SentinelPassword != "sp" || o.SentinelUsername != "" {
		t.Fatalf("credentials: data %q/%q sentinel %q/%q", o.Username, o.Password, o.SentinelUsername, o.SentinelPassword)
	}
	if o.DialTimeout != 3*time.Second || o.PoolSize != 40 || o.TLSConfig != nil {
		t.Fatalf("options: dial %s pool %d tls %v", o.DialTimeout, o.PoolSize, o.TLSConfig)
	}
	if s := tg.String(); strings.Contains(s, "cret") || !strings.Contains(s, "my-primary") {
		t.Fatalf("String() = %q", s)
	}
	tls, err := ParseRedisURL("rediss+sentinel://s1/m")
	if err != nil || tls.Sentinel.TLSConfig == nil || tls.Sentinel.DB != 0 {
		t.Fatalf("rediss+sentinel: %+v %v", tls.Sentinel, err)
	}
}

func TestParseRedisURLCluster(t *testing.T) {
	tg, err := ParseRedisURL("redis+cluster://:pw@n1:7000,n2:7001,n3?read_timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	o := tg.Cluster
	if want := []string{"n1:7000", "n2:7001", "n3:6379"}; tg.Topology != RedisCluster || !slices.Equal(o.Addrs, want) {
		t.Fatalf("%s %v, want cluster %v", tg.Topology, o.Addrs, want)
	}
	if o.Password != "pw" || o.ReadTimeout != 5*time.Second || o.ClusterStateReloadInterval != DefaultClusterStateReload {
		t.Fatalf("password %q read timeout %s reload %s", o.Password, o.ReadTimeout, o.ClusterStateReloadInterval)
	}
	if tg, err := ParseRedisURL("redis+cluster://n1?cluster_state_reload_interval=500ms"); err != nil || tg.Cluster.ClusterStateReloadInterval != 500*time.Millisecond {
		t.Fatalf("cluster_state_reload_interval=500ms: %v", err)
	}
	if _, err := ParseRedisURL("redis+cluster://n1:7000/0"); err != nil {
		t.Fatalf("database 0 is a cluster's only one: %v", err)
	}
}

// TestParseRedisURLErrors: each mistake is named, and the password never
// appears in the message.
func TestParseRedisURLErrors(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"localhost:6379", "not a URL"},
		{"memcached://h:1", `scheme "memcached"`},
		{"redis+sentinel://:hunter2@s1:26379", "/<master name>"},
		{"redis+sentinel://:hunter2@s1:26379/m/0/extra", "/<master name>"},
		{"redis+sentinel://:hunter2@s1:26379/m/x", "invalid database number"},
		{"redis+sentinel://s1:26379/m?master_name=other", "option master_name"},
		{"redis+sentinel://:hunter2@s1:26379/m?bogus=1", "unexpected option: bogus"},
		{"redis+cluster://:hunter2@n1:7000/3", "only database 0"},
		{"redis+cluster://:hunter2@n1:7000,:7001", "empty host name"},
		{"redis+cluster://:hunter2@n1:99999", "not a TCP port"},
		{"redis+cluster://:hunter2@", "no host"},
		{"redis+cluster://:hunter2@n1:7000?sentinel_password=hunter2&x=1", "unexpected option"},
		{"redis://:hunter2@h:1/nope", "invalid database number"},
		{"redis+cluster://n1?cluster_state_reload_interval=-1s", "not a positive duration"},
	} {
		_, err := ParseRedisURL(tc.url)
		if err == nil {
			t.Errorf("%s: no error", tc.url)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not say %q", tc.url, err, tc.want)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: error shows the password: %q", tc.url, err)
		}
	}
}

// TestValidateRedisURL: a bad redis_url fails the configuration at load.
func TestValidateRedisURL(t *testing.T) {
	c := Defaults()
	c.RedisURL = "redis+cluster://n1:7000/5"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "redis_url (cluster)") {
		t.Fatalf("Validate() = %v, want the redis_url error", err)
	}
	c.RedisURL = "redis+sentinel://s1,s2/mymaster"
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
}
