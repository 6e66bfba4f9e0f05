module example.com/token-refresher-consumer

go 1.19

// Run `go mod tidy` to add github.com/aws/aws-sdk-go-v2 (config, service/ssm, service/secretsmanager).
