// Command main reads a token published by token-refresher with aws-sdk-go-v2, the way every consumer
// should: cached until it has skew left, then read again; a token with less than that is never returned.
// A clock that runs behind the refresher's shows as an issued_at in the future; from then on the
// reader counts time from that issued_at, so it never hands out a token past its real lifetime.
//
// Set TOKEN_SOURCE to the refresher's tokenSource: "secretsmanager:<secret ARN>" or "ssm:<parameter name>".
// It prints the provider and how long the token has left, never the token.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// PublishedToken is the JSON the refresher publishes; expires_at and issued_at are epoch seconds.
type PublishedToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresAt   int64  `json:"expires_at"`
	IssuedAt    int64  `json:"issued_at"`
	Provider    string `json:"provider"`
	Scope       string `json:"scope,omitempty"`
}

// maxLifetimeSeconds is the longest expires_at - issued_at the refresher publishes: ten times the
// longest planned lifetime, 366 days.
const maxLifetimeSeconds = 10 * 366 * 86400

// ErrStaleToken means the stored token has less than the skew left: the refresher is failing.
var ErrStaleToken = errors.New("stale token")

// TokenReader caches the token until ExpiresAt - Skew. Safe for concurrent use: one read at a time.
type TokenReader struct {
	Source string
	Skew   time.Duration
	Now    func() time.Time
	read   func(ctx context.Context) (string, error)

	mu     sync.Mutex
	cached *PublishedToken
	// The refresher's time as last proved by an issued_at ahead of this clock, and this clock then.
	refresherAt, observedAt time.Time
}

// NewTokenReader builds a reader for "secretsmanager:<arn>" or "ssm:<name>". The SDK's standard
// retryer already backs off on throttling.
func NewTokenReader(ctx context.Context, source string) (*TokenReader, error) {
	kind, id, found := strings.Cut(source, ":")
	if !found || id == "" {
		return nil, fmt.Errorf(`TOKEN_SOURCE must be "secretsmanager:<secret ARN>" or "ssm:<parameter name>"`)
	}
	var opts []func(*config.LoadOptions) error
	// A secret or parameter given by ARN lives in the ARN's region, whatever the default region is.
	if arn := strings.Split(id, ":"); arn[0] == "arn" && len(arn) > 3 && arn[3] != "" {
		opts = append(opts, config.WithRegion(arn[3]))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	r := &TokenReader{Source: source, Skew: 60 * time.Second, Now: time.Now}
	switch kind {
	case "secretsmanager":
		client := secretsmanager.NewFromConfig(cfg)
		r.read = func(ctx context.Context) (string, error) {
			out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
			var notFound *smtypes.ResourceNotFoundException
			if errors.As(err, &notFound) {
				return "", r.notFound(err)
			}
			if err != nil {
				return "", err
			}
			return aws.ToString(out.SecretString), nil
		}
	case "ssm":
		client := ssm.NewFromConfig(cfg)
		r.read = func(ctx context.Context) (string, error) {
			out, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(id), WithDecryption: aws.Bool(true)})
			var notFound *ssmtypes.ParameterNotFound
			if errors.As(err, &notFound) {
				return "", r.notFound(err)
			}
			if err != nil {
				return "", err
			}
			return aws.ToString(out.Parameter.Value), nil
		}
	default:
		return nil, fmt.Errorf("TOKEN_SOURCE kind %q is not supported", kind)
	}
	return r, nil
}

func (r *TokenReader) notFound(err error) error {
	return fmt.Errorf("no token at %s: the refresher has not published a token yet, or the name is wrong: %w", r.Source, err)
}

// now is this clock's time, or the refresher's as last proved and carried forward, whichever is later.
func (r *TokenReader) now() time.Time {
	local := r.Now()
	if r.refresherAt.IsZero() {
		return local
	}
	if carried := r.refresherAt.Add(local.Sub(r.observedAt)); carried.After(local) {
		return carried
	}
	return local
}

// plausibleTimes refuses an issued_at at or after expires_at, and an expires_at further from issued_at
// or from now than the refresher ever publishes: times in milliseconds, or written by hand.
func plausibleTimes(t *PublishedToken, now time.Time) bool {
	return t.IssuedAt < t.ExpiresAt &&
		t.ExpiresAt-t.IssuedAt <= maxLifetimeSeconds &&
		t.ExpiresAt-now.Unix() <= maxLifetimeSeconds
}

func (r *TokenReader) fresh(t *PublishedToken) bool {
	return r.now().Before(time.Unix(t.ExpiresAt, 0).Add(-r.Skew))
}

// Token returns the cached token while it is fresh, else reads the store.
func (r *TokenReader) Token(ctx context.Context) (*PublishedToken, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cached != nil && r.fresh(r.cached) {
		return r.cached, nil
	}
	text, err := r.read(ctx)
	if err != nil {
		return nil, err
	}
	var t PublishedToken
	// The JSON error is not wrapped: its message could quote the stored value.
	if json.Unmarshal([]byte(text), &t) != nil || t.AccessToken == "" || t.IssuedAt == 0 || !plausibleTimes(&t, r.now()) {
		return nil, fmt.Errorf("the value at %s is not a published token", r.Source)
	}
	// The refresher stamps issued_at before anyone can read the token: a later one proves this clock is behind.
	if issued := time.Unix(t.IssuedAt, 0); issued.After(r.now()) {
		r.refresherAt, r.observedAt = issued, r.Now()
	}
	if !r.fresh(&t) {
		staleSince := time.Unix(t.ExpiresAt, 0).Add(-r.Skew).UTC().Format(time.RFC3339)
		return nil, fmt.Errorf("%w: the token at %s is stale since %s: the refresher is failing", ErrStaleToken, r.Source, staleSince)
	}
	r.cached = &t
	return &t, nil
}

// Invalidate makes the next call read the store (after a 401; retry the API call once, then fail).
func (r *TokenReader) Invalidate(rejectedAccessToken string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cached != nil && (rejectedAccessToken == "" || r.cached.AccessToken == rejectedAccessToken) {
		r.cached = nil
	}
}

func main() {
	ctx := context.Background()
	reader, err := NewTokenReader(ctx, os.Getenv("TOKEN_SOURCE"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "read-token:", err)
		os.Exit(2)
	}
	token, err := reader.Token(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read-token:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{
		"provider":           token.Provider,
		"expires_in_seconds": token.ExpiresAt - time.Now().Unix(),
	})
	fmt.Println(string(out))
}
