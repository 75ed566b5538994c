package sqsapi

import (
	"encoding/xml"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sqs"
)

// The query protocol flattens lists and maps into numbered form keys
// (Attribute.1.Name, MessageAttribute.1.Value.StringValue,
// SendMessageBatchRequestEntry.2.MessageBody, ...). formToJSON rebuilds the
// JSON-protocol shape so that both protocols decode into the same structs.

// queryLists maps a flattened list's form name to its JSON member name.
var queryLists = map[string]string{
	"AttributeName":                            "AttributeNames",
	"MessageAttributeName":                     "MessageAttributeNames",
	"MessageSystemAttributeName":               "MessageSystemAttributeNames",
	"TagKey":                                   "TagKeys",
	"StringListValue":                          "StringListValues",
	"BinaryListValue":                          "BinaryListValues",
	"SendMessageBatchRequestEntry":             "Entries",
	"DeleteMessageBatchRequestEntry":           "Entries",
	"ChangeMessageVisibilityBatchRequestEntry": "Entries",
	"AWSAccountId":                             "AWSAccountIds",
	"ActionName":                               "Actions",
}

// queryMaps maps a flattened map's form name to its JSON member name and the
// names of its key and value fields.
var queryMaps = map[string]struct{ json, key, value string }{
	"Attribute":              {"Attributes", "Name", "Value"},
	"Tag":                    {"Tags", "Key", "Value"},
	"MessageAttribute":       {"MessageAttributes", "Name", "Value"},
	"MessageSystemAttribute": {"MessageSystemAttributes", "Name", "Value"},
}

// formNode is one level of a dotted form key.
type formNode struct {
	value    string
	children map[string]*formNode
}

// Limits on query-protocol parameters. The deepest key SQS defines is
// SendMessageBatchRequestEntry.N.MessageAttribute.N.Value.StringListValue.N
// (7 parts); anything far deeper or wider is hostile, and unbounded nesting
// would exhaust the stack when the tree is encoded.
const (
	maxFormKeyParts = 10
	maxFormKeys     = 5000
)

func formToJSON(op string, form url.Values) (map[string]any, error) {
	if len(form) > maxFormKeys {
		return nil, sqs.Errorf(sqs.CodeInvalidParameterValue, "The request has more than %d parameters.", maxFormKeys)
	}
	root := &formNode{children: map[string]*formNode{}}
	for k, vs := range form {
		if k == "Action" || k == "Version" || len(vs) == 0 {
			continue
		}
		parts := strings.Split(k, ".")
		if len(parts) > maxFormKeyParts {
			return nil, sqs.Errorf(sqs.CodeInvalidParameterValue, "The parameter name %.64q… is nested more than %d levels deep.", k, maxFormKeyParts)
		}
		n := root
		for _, part := range parts {
			if n.children == nil {
				n.children = map[string]*formNode{}
			}
			c := n.children[part]
			if c == nil {
				c = &formNode{}
				n.children[part] = c
			}
			n = c
		}
		n.value = vs[0]
	}
	if err := root.check(""); err != nil {
		return nil, err
	}
	out := root.object()
	if op == "CreateQueue" {
		if tags, ok := out["Tags"]; ok {
			out["tags"] = tags // CreateQueue's member is lower-case
			delete(out, "Tags")
		}
	}
	return out, nil
}

// check enforces the query protocol's list rules: list and map members are
// numbered from 1, and a map entry has both its key and its value.
func (n *formNode) check(path string) error {
	for name, c := range n.children {
		p := name
		if path != "" {
			p = path + "." + name
		}
		m, isMap := queryMaps[name]
		if queryLists[name] == "" && !isMap {
			if err := c.check(p); err != nil {
				return err
			}
			continue
		}
		for idx, item := range c.children {
			if i, err := strconv.Atoi(idx); err != nil || i < 1 || strconv.Itoa(i) != idx {
				return sqs.Errorf(sqs.CodeInvalidParameterValue, "The parameter %s.%s is not valid: list members are numbered from 1.", p, idx)
			}
			for _, field := range []string{m.key, m.value} {
				if isMap && item.children[field] == nil {
					return sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameter %s.%s.%s.", p, idx, field)
				}
			}
			if err := item.check(p + "." + idx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (n *formNode) object() map[string]any {
	out := map[string]any{}
	for name, c := range n.children {
		switch {
		case queryLists[name] != "":
			out[queryLists[name]] = c.list()
		case queryMaps[name].json != "":
			m := queryMaps[name]
			out[m.json] = c.flatMap(m.key, m.value)
		default:
			out[name] = c.any()
		}
	}
	return out
}

func (n *formNode) any() any {
	if len(n.children) == 0 {
		return n.value
	}
	return n.object()
}

// indexed returns the children in the order of their numeric names.
func (n *formNode) indexed() []*formNode {
	idx := make([]int, 0, len(n.children))
	byIdx := map[int]*formNode{}
	for k, c := range n.children {
		i, err := strconv.Atoi(k)
		if err != nil {
			continue
		}
		idx = append(idx, i)
		byIdx[i] = c
	}
	sort.Ints(idx)
	out := make([]*formNode, len(idx))
	for i, k := range idx {
		out[i] = byIdx[k]
	}
	return out
}

func (n *formNode) list() []any {
	items := n.indexed()
	out := make([]any, len(items))
	for i, c := range items {
		out[i] = c.any()
	}
	return out
}

func (n *formNode) flatMap(key, value string) map[string]any {
	out := map[string]any{}
	for _, c := range n.indexed() {
		k, v := c.children[key], c.children[value]
		if k == nil || v == nil {
			continue
		}
		out[k.value] = v.any()
	}
	return out
}

// writeXML writes a query-protocol response: <OpResponse> holding <OpResult>
// (when the operation has output) and the request id.
func writeXML(w io.Writer, op, requestID string, out any) error {
	io.WriteString(w, `<?xml version="1.0"?>`+"\n")
	e := xml.NewEncoder(w)
	resp := xml.StartElement{Name: xml.Name{Local: op + "Response"}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: xmlns}}}
	if err := e.EncodeToken(resp); err != nil {
		return err
	}
	if out != nil {
		if err := e.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: op + "Result"}}); err != nil {
			return err
		}
	}
	meta := struct {
		RequestID string `xml:"RequestId"`
	}{requestID}
	if err := e.EncodeElement(meta, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}}); err != nil {
		return err
	}
	if err := e.EncodeToken(resp.End()); err != nil {
		return err
	}
	return e.Flush()
}

// attrMap is a string map written as flattened <Attribute><Name/><Value/>
// elements (the element name comes from the field tag).
type attrMap map[string]string

// MarshalXML implements xml.Marshaler.
func (m attrMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalFlatMap(e, start.Name.Local, "Name", "Value", m)
}

// tagMap is a string map written as flattened <Tag><Key/><Value/> elements.
type tagMap map[string]string

// MarshalXML implements xml.Marshaler.
func (m tagMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return marshalFlatMap(e, start.Name.Local, "Key", "Value", m)
}

func marshalFlatMap(e *xml.Encoder, elem, key, value string, m map[string]string) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		entry := xml.StartElement{Name: xml.Name{Local: elem}}
		if err := e.EncodeToken(entry); err != nil {
			return err
		}
		if err := e.EncodeElement(k, xml.StartElement{Name: xml.Name{Local: key}}); err != nil {
			return err
		}
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: value}}); err != nil {
			return err
		}
		if err := e.EncodeToken(entry.End()); err != nil {
			return err
		}
	}
	return nil
}
