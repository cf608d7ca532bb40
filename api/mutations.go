package api

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// mutationFields counts the top-level fields of a mutation, aliases and
// fragments included (each is one write); __typename is not a write. A
// query or subscription counts 0. Validation has refused fragment cycles
// before this runs; at bounds the recursion regardless.
func mutationFields(op *ast.OperationDefinition, frags ast.FragmentDefinitionList) int {
	if op == nil || op.Operation != ast.Mutation {
		return 0
	}
	return countFields(op.SelectionSet, frags, 0)
}

func countFields(set ast.SelectionSet, frags ast.FragmentDefinitionList, at int) int {
	if at > 100 {
		return 0
	}
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name != "__typename" {
				n++
			}
		case *ast.InlineFragment:
			n += countFields(s.SelectionSet, frags, at+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				n += countFields(f.SelectionSet, frags, at+1)
			}
		}
	}
	return n
}
