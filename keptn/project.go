package keptn

// ProjectStore holds the read side of projects, stages, services, resources
// and secrets. (Filled in by the project API.)
type ProjectStore interface{}

// ProjectTx holds the write side of projects, stages, services, resources and
// secrets inside a transaction. (Filled in by the project API.)
type ProjectTx interface{}
