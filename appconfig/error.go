package appconfig

import (
	"errors"
	"fmt"
)

// Error codes. The AppConfig face maps each to an AWS error name and status.
const (
	CodeBadRequest      = "BadRequestException"           // 400
	CodeNotFound        = "ResourceNotFoundException"     // 404
	CodeConflict        = "ConflictException"             // 409
	CodeQuotaExceeded   = "ServiceQuotaExceededException" // 402 (sic)
	CodePayloadTooLarge = "PayloadTooLargeException"      // 413
	CodeInternal        = "InternalServerException"       // 500
)

// Error is a domain error whose Message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
	// ResourceName is set on ResourceNotFoundException.
	ResourceName string
	// Details is set on some BadRequestExceptions (validator failures).
	Details *ErrorDetails
	// Reason is the BadRequestException reason (InvalidConfiguration, InvalidParameters).
	Reason string
	// Problem is the appconfigdata token problem (Corrupted, Expired,
	// PollIntervalNotSatisfied) of a BadRequestException with Reason InvalidParameters.
	Problem string
}

// ErrorDetails carries the InvalidConfiguration union of a BadRequestException.
type ErrorDetails struct {
	InvalidConfiguration []InvalidConfigurationDetail `json:"InvalidConfiguration,omitempty"`
}

// InvalidConfigurationDetail is one validator complaint.
type InvalidConfigurationDetail struct {
	Constraint string `json:"Constraint,omitempty"`
	Location   string `json:"Location,omitempty"`
	Reason     string `json:"Reason,omitempty"`
	Type       string `json:"Type,omitempty"`
	Value      string `json:"Value,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a ResourceNotFoundException for the named resource.
func NotFound(resource, id string) *Error {
	return &Error{Code: CodeNotFound, ResourceName: resource,
		Message: fmt.Sprintf("%s %s not found", resource, id)}
}

// ErrorCode returns the code of err's *Error, or CodeInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}
