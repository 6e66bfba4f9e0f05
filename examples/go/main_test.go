package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// With its clock 120 s behind the refresher's, the reader counts from the token's issued_at: 50 s
// later a token issued with 100 s to live has 50 s left, less than the skew, and is not handed out.
func TestClockBehindCountsFromIssuedAt(t *testing.T) {
	issued := time.Now()
	token, err := json.Marshal(PublishedToken{
		AccessToken: "at-go-skew",
		TokenType:   "Bearer",
		IssuedAt:    issued.Unix(),
		ExpiresAt:   issued.Add(100 * time.Second).Unix(),
		Provider:    "example",
	})
	if err != nil {
		t.Fatal(err)
	}
	clock := issued.Add(-120 * time.Second)
	r := &TokenReader{Source: "ssm:/example/token", Skew: 60 * time.Second, Now: func() time.Time { return clock }}
	r.read = func(context.Context) (string, error) { return string(token), nil }

	if _, err := r.Token(context.Background()); err != nil {
		t.Fatalf("first read: %v", err)
	}
	clock = clock.Add(50 * time.Second)
	if _, err := r.Token(context.Background()); !errors.Is(err, ErrStaleToken) {
		t.Fatalf("50 s later, with 50 s of real life left: want ErrStaleToken, got %v", err)
	}
}

// An issued_at at or after expires_at (here in milliseconds) is no published token, and moves no clock.
func TestIssuedAtInMillisecondsIsMalformed(t *testing.T) {
	now := time.Now()
	token, err := json.Marshal(PublishedToken{
		AccessToken: "at-go-ms",
		TokenType:   "Bearer",
		IssuedAt:    now.UnixMilli(),
		ExpiresAt:   now.Add(300 * time.Second).Unix(),
		Provider:    "example",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &TokenReader{Source: "ssm:/example/token", Skew: 60 * time.Second, Now: time.Now}
	r.read = func(context.Context) (string, error) { return string(token), nil }

	if _, err := r.Token(context.Background()); err == nil || !r.refresherAt.IsZero() {
		t.Fatalf("want a malformed-token error and no clock correction, got %v (correction %v)", err, r.refresherAt)
	}
}

// An expires_at in milliseconds lies further ahead than the refresher ever publishes: no published token.
func TestExpiresAtInMillisecondsIsMalformed(t *testing.T) {
	now := time.Now()
	for name, times := range map[string][2]int64{
		"expires_at": {now.Unix(), now.Add(300 * time.Second).UnixMilli()},
		"both":       {now.UnixMilli(), now.Add(300 * time.Second).UnixMilli()},
	} {
		token, err := json.Marshal(PublishedToken{
			AccessToken: "at-go-ms",
			TokenType:   "Bearer",
			IssuedAt:    times[0],
			ExpiresAt:   times[1],
			Provider:    "example",
		})
		if err != nil {
			t.Fatal(err)
		}
		r := &TokenReader{Source: "ssm:/example/token", Skew: 60 * time.Second, Now: time.Now}
		r.read = func(context.Context) (string, error) { return string(token), nil }

		if _, err := r.Token(context.Background()); err == nil || r.cached != nil {
			t.Fatalf("%s in milliseconds: want a malformed-token error and nothing cached, got %v", name, err)
		}
	}
}
