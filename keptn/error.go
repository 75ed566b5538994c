package keptn

import (
	"errors"
	"fmt"
)

// Error codes. The Keptn face maps each to an HTTP status and writes
// {"code": <status>, "message": Message}.
const (
	CodeBadRequest      = "bad_request"       // 400
	CodeUnauthorized    = "unauthorized"      // 401
	CodeNotFound        = "not_found"         // 404
	CodeConflict        = "conflict"          // 409
	CodeTooLarge        = "too_large"         // 413
	CodeUnprocessable   = "unprocessable"     // 422
	CodeTooManyRequests = "too_many_requests" // 429
	CodeInternal        = "internal"          // 500
)

// Error is a domain error whose Message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or CodeInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
