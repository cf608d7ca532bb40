package asynqmon_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/alicebob/miniredis/v2"
	"github.com/ozmon/ozmon/asynqmon"
	"github.com/redis/go-redis/v9"
)

// Mount the queue UI with an admin and a read-only token. In production the
// handler is served with asynqmon.ListenAndServe(ctx, ":8080", h) on the
// process's shared Redis client; here an in-process Redis stands in.
func Example() {
	mr, err := miniredis.Run()
	if err != nil {
		log.Fatal(err)
	}
	defer mr.Close()
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()

	h, err := asynqmon.New(rdb,
		asynqmon.WithAdminToken("admin-0123456789abcdef"),
		asynqmon.WithReadOnlyToken("viewer-0123456789abcdef"),
		asynqmon.WithPath("/asynqmon"),
	)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	call := func(method, path, token string) int {
		req, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	const queues, pause = "/asynqmon/api/queues", "/asynqmon/api/queues/eval-default:pause"
	fmt.Println("no token:", call(http.MethodGet, queues, ""))
	fmt.Println("viewer lists queues:", call(http.MethodGet, queues, "viewer-0123456789abcdef"))
	fmt.Println("viewer pauses a queue:", call(http.MethodPost, pause, "viewer-0123456789abcdef"))
	fmt.Println("admin pauses a queue:", call(http.MethodPost, pause, "admin-0123456789abcdef"))
	// Output:
	// no token: 401
	// viewer lists queues: 200
	// viewer pauses a queue: 403
	// admin pauses a queue: 204
}
