package api

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestWebSocketPipelinedInit: a client that sends connection_init in the
// same write as its upgrade request, before the 101 comes back, has it
// read: the bytes net/http buffered past the request survive the swap to
// the connection's own small buffers.
func TestWebSocketPipelinedInit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithLive(fakeLive{}))
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(e.srv.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	upgrade := "GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
		"Sec-WebSocket-Protocol: graphql-transport-ws\r\nAuthorization: Bearer a-viewer\r\n\r\n"
	if _, err := conn.Write(append([]byte(upgrade), clientFrame(`{"type":"connection_init"}`)...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	// The server's first frame: unmasked text, short.
	hdr := make([]byte, 2)
	if _, err := br.Read(hdr[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := br.Read(hdr[1:]); err != nil {
		t.Fatal(err)
	}
	payload := make([]byte, hdr[1]&0x7f)
	if _, err := io.ReadFull(br, payload); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if hdr[0] != 0x81 || json.Unmarshal(payload, &m) != nil || m["type"] != "connection_ack" {
		t.Fatalf("first frame %x %q, want a connection_ack text frame", hdr, payload)
	}
}

// clientFrame is a masked text frame holding s (under 126 bytes).
func clientFrame(s string) []byte {
	key := [4]byte{1, 2, 3, 4}
	f := []byte{0x81, 0x80 | byte(len(s)), key[0], key[1], key[2], key[3]}
	for i := range len(s) {
		f = append(f, s[i]^key[i%4])
	}
	return f
}
