// Package awslambda serves the status handler to AWS Lambda. One Handler
// takes the raw invocation event and recognises its shape by its fields.
// It passes the event to the matching adapter of aws-lambda-go-api-proxy,
// for API Gateway REST APIs (payload 1.0), HTTP APIs and function URLs
// (payload 2.0) and Application Load Balancer target groups in single-value
// and multi-value header mode. The response carries its headers in the
// field that the integration reads. Other events, EventBridge scheduled events included,
// are rejected with an *UnsupportedEventError unless Options.Scheduled
// takes them.
package awslambda
