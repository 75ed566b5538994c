package bench

// This file is the AppConfig benchmark: GetLatestConfiguration throughput and
// StartDeployment-to-COMPLETE latency, with aws-sdk-go-v2 clients.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/appconfig"
	"github.com/aws/aws-sdk-go-v2/service/appconfig/types"
	"github.com/aws/aws-sdk-go-v2/service/appconfigdata"
)

// AppConfigOptions tune the AppConfig benchmark.
type AppConfigOptions struct {
	Sessions    int // GetLatestConfiguration requests, one session each
	Workers     int // concurrent clients
	Deployments int // zero-duration deployments to time
	// Client is "sdk" (aws-sdk-go-v2's appconfigdata client) or "http"
	// (net/http with SigV4 signatures from the SDK's signer: the server's
	// share of the work shows better).
	Client string
}

// AppConfigResult is what the AppConfig benchmark measured.
type AppConfigResult struct {
	Requests       int
	RequestsPerSec float64
	P50, P99       time.Duration
	Deploys        []time.Duration
	DeployP50      time.Duration
	DeployMax      time.Duration
}

// AppConfig measures GetLatestConfiguration throughput and
// StartDeployment-to-COMPLETE latency on t.
func AppConfig(ctx context.Context, t *Target, o AppConfigOptions) (*AppConfigResult, error) {
	id, secret, err := AWSCredentials(ctx, t)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Workers * 2, MaxConnsPerHost: o.Workers * 2}}
	creds := credentials.NewStaticCredentialsProvider(id, secret, "")
	ac := appconfig.New(appconfig.Options{BaseEndpoint: aws.String(t.URL), Region: "us-east-1", Credentials: creds, HTTPClient: hc})
	data := appconfigdata.New(appconfigdata.Options{BaseEndpoint: aws.String(t.URL), Region: "us-east-1", Credentials: creds, HTTPClient: hc})
	f, err := setup(ctx, ac)
	if err != nil {
		return nil, err
	}
	res := &AppConfigResult{}
	if err := timeDeploys(ctx, ac, f, o.Deployments, res); err != nil {
		return nil, err
	}
	return res, pollRate(ctx, data, t.URL, hc, aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, f, o, res)
}

type benchFixture struct{ app, env, profile, strategy string }

func setup(ctx context.Context, ac *appconfig.Client) (*benchFixture, error) {
	app, err := ac.CreateApplication(ctx, &appconfig.CreateApplicationInput{Name: aws.String("bench")})
	if err != nil {
		return nil, fmt.Errorf("create application: %w", err)
	}
	env, err := ac.CreateEnvironment(ctx, &appconfig.CreateEnvironmentInput{ApplicationId: app.Id, Name: aws.String("bench")})
	if err != nil {
		return nil, fmt.Errorf("create environment: %w", err)
	}
	p, err := ac.CreateConfigurationProfile(ctx, &appconfig.CreateConfigurationProfileInput{ApplicationId: app.Id,
		Name: aws.String("bench"), LocationUri: aws.String("hosted")})
	if err != nil {
		return nil, fmt.Errorf("create profile: %w", err)
	}
	if _, err := ac.CreateHostedConfigurationVersion(ctx, &appconfig.CreateHostedConfigurationVersionInput{ApplicationId: app.Id,
		ConfigurationProfileId: p.Id, Content: []byte(`{"feature":true,"limit":100}`), ContentType: aws.String("application/json")}); err != nil {
		return nil, fmt.Errorf("create version: %w", err)
	}
	st, err := ac.CreateDeploymentStrategy(ctx, &appconfig.CreateDeploymentStrategyInput{Name: aws.String("instant"),
		DeploymentDurationInMinutes: aws.Int32(0), FinalBakeTimeInMinutes: 0, GrowthFactor: aws.Float32(100)})
	if err != nil {
		return nil, fmt.Errorf("create strategy: %w", err)
	}
	return &benchFixture{app: *app.Id, env: *env.Id, profile: *p.Id, strategy: *st.Id}, nil
}

// timeDeploys starts n zero-duration deployments one after another and
// measures each from StartDeployment to COMPLETE.
func timeDeploys(ctx context.Context, ac *appconfig.Client, f *benchFixture, n int, res *AppConfigResult) error {
	for range n {
		start := time.Now()
		d, err := ac.StartDeployment(ctx, &appconfig.StartDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env,
			ConfigurationProfileId: &f.profile, DeploymentStrategyId: &f.strategy, ConfigurationVersion: aws.String("1")})
		if err != nil {
			return fmt.Errorf("start deployment: %w", err)
		}
		for {
			g, err := ac.GetDeployment(ctx, &appconfig.GetDeploymentInput{ApplicationId: &f.app, EnvironmentId: &f.env,
				DeploymentNumber: &d.DeploymentNumber})
			if err != nil {
				return fmt.Errorf("get deployment: %w", err)
			}
			if g.State == types.DeploymentStateComplete {
				break
			}
			if time.Since(start) > 10*time.Second {
				return fmt.Errorf("deployment %d not COMPLETE after 10s (%s)", d.DeploymentNumber, g.State)
			}
		}
		res.Deploys = append(res.Deploys, time.Since(start))
	}
	if n > 0 {
		s := slices.Sorted(slices.Values(res.Deploys))
		res.DeployP50, res.DeployMax = s[len(s)/2], s[len(s)-1]
	}
	return nil
}

// pollRate opens o.Sessions sessions, then redeems each initial token once
// with o.Workers concurrent clients, and times only the redemptions.
func pollRate(ctx context.Context, data *appconfigdata.Client, base string, hc *http.Client, creds aws.Credentials, f *benchFixture, o AppConfigOptions, res *AppConfigResult) error {
	tokens := make([]string, o.Sessions)
	if err := parallel(o.Workers, o.Sessions, func(i int) error {
		s, err := data.StartConfigurationSession(ctx, &appconfigdata.StartConfigurationSessionInput{ApplicationIdentifier: &f.app,
			EnvironmentIdentifier: &f.env, ConfigurationProfileIdentifier: &f.profile})
		if err == nil {
			tokens[i] = *s.InitialConfigurationToken
		}
		return err
	}); err != nil {
		return fmt.Errorf("start sessions: %w", err)
	}
	get := sdkGet(data)
	if o.Client == "http" {
		get = httpGet(base, hc, creds)
	}
	lat := make([]time.Duration, o.Sessions)
	start := time.Now()
	err := parallel(o.Workers, o.Sessions, func(i int) error {
		t0 := time.Now()
		n, err := get(ctx, tokens[i])
		lat[i] = time.Since(t0)
		if err == nil && n == 0 {
			err = fmt.Errorf("session %d got no configuration", i)
		}
		return err
	})
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("get latest configuration: %w", err)
	}
	slices.Sort(lat)
	res.Requests, res.RequestsPerSec = o.Sessions, float64(o.Sessions)/elapsed.Seconds()
	res.P50, res.P99 = lat[len(lat)/2], lat[len(lat)*99/100]
	return nil
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(workers, n int, fn func(i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = fmt.Errorf("item %s: %w", strconv.Itoa(i), err) })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// getter redeems one token and returns the configuration's size.
type getter func(ctx context.Context, token string) (int, error)

func sdkGet(data *appconfigdata.Client) getter {
	return func(ctx context.Context, token string) (int, error) {
		out, err := data.GetLatestConfiguration(ctx, &appconfigdata.GetLatestConfigurationInput{ConfigurationToken: &token})
		if err != nil {
			return 0, err
		}
		return len(out.Configuration), nil
	}
}

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func httpGet(base string, hc *http.Client, creds aws.Credentials) getter {
	signer := v4.NewSigner()
	return func(ctx context.Context, token string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/configuration?configuration_token="+url.QueryEscape(token), nil)
		if err != nil {
			return 0, err
		}
		if err := signer.SignHTTP(ctx, creds, req, emptySHA256, "appconfig", "us-east-1", time.Now()); err != nil {
			return 0, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GetLatestConfiguration: %s: %s", resp.Status, b)
		}
		return len(b), err
	}
}
