package sqs

import (
	"errors"
	"fmt"
)

// Error codes. Each is the name of the error shape in the SQS model (or the
// generic query error real SQS uses); the face maps it to the query code,
// the HTTP status and the JSON __type.
const (
	CodeQueueDoesNotExist          = "QueueDoesNotExist"
	CodeQueueNameExists            = "QueueNameExists"
	CodePurgeQueueInProgress       = "PurgeQueueInProgress"
	CodeOverLimit                  = "OverLimit"
	CodeMessageNotInflight         = "MessageNotInflight"
	CodeBatchEntryIdsNotDistinct   = "BatchEntryIdsNotDistinct"
	CodeBatchRequestTooLong        = "BatchRequestTooLong"
	CodeEmptyBatchRequest          = "EmptyBatchRequest"
	CodeInvalidBatchEntryID        = "InvalidBatchEntryId"
	CodeTooManyEntriesInBatch      = "TooManyEntriesInBatchRequest"
	CodeUnsupportedOperation       = "UnsupportedOperation"
	CodeInvalidAttributeName       = "InvalidAttributeName"
	CodeInvalidAttributeValue      = "InvalidAttributeValue"
	CodeReceiptHandleIsInvalid     = "ReceiptHandleIsInvalid"
	CodeInvalidMessageContents     = "InvalidMessageContents"
	CodeInvalidIDFormat            = "InvalidIdFormat"
	CodeInvalidAddress             = "InvalidAddress"
	CodeInvalidParameterValue      = "InvalidParameterValue"
	CodeMissingParameter           = "MissingParameter"
	CodeInvalidAction              = "InvalidAction"
	CodeResourceNotFound           = "ResourceNotFoundException"
	CodeInvalidSecurity            = "InvalidSecurity"
	CodeAccessDenied               = "AccessDenied"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeRequestExpired             = "RequestExpired"
	CodeInternal                   = "InternalError"
)

// Error is a domain error whose Message is safe to show to the caller.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

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

// errNoQueue is the error of every operation on a queue that does not exist.
func errNoQueue() *Error {
	return Errorf(CodeQueueDoesNotExist, "The specified queue does not exist.")
}

// invalidParam is AWS's "Value x for parameter y is invalid. Reason: z." error.
func invalidParam(value any, param, reason string) *Error {
	return Errorf(CodeInvalidParameterValue, "Value %v for parameter %s is invalid. Reason: %s", value, param, reason)
}

// invalidAttr is the error for a queue attribute with a bad value.
func invalidAttr(name, value, reason string) *Error {
	return Errorf(CodeInvalidAttributeValue, "Invalid value for the parameter %s. Reason: %s (got %q).", name, reason, value)
}
