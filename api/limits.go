package api

import (
	"strconv"
	"time"

	"context"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// limits refuses an operation deeper than depth, costlier than
// complexity or with more than mutations mutation fields, before any
// resolver runs.
type limits struct {
	depth, complexity, mutations int
	es                           graphql.ExecutableSchema
}

var (
	_ graphql.HandlerExtension        = (*limits)(nil)
	_ graphql.OperationContextMutator = (*limits)(nil)
)

func (limits) ExtensionName() string { return "OzmonLimits" }

func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	return nil
}

func (l *limits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	// Writes are cheap to ask for and dear to serve: aliases would let one
	// request hold hundreds.
	if n := mutationFields(oc.Operation, oc.Doc.Fragments); n > l.mutations {
		return &gqlerror.Error{Message: "the operation holds " + itoa(n) + " mutation fields; at most " + itoa(l.mutations) + " are taken per request",
			Extensions: map[string]any{"code": CodeTooManyMutations, "mutations": n, "limit": l.mutations}}
	}
	if d := depth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0); d > l.depth {
		return &gqlerror.Error{Message: "query is nested " + itoa(d) + " levels deep; api.depth_limit is " + itoa(l.depth),
			Extensions: map[string]any{"code": CodeTooDeep, "depth": d, "limit": l.depth}}
	}
	if c := complexity.Calculate(ctx, l.es, oc.Operation, oc.Variables); c > l.complexity {
		return &gqlerror.Error{Message: "query costs " + itoa(c) + "; api.complexity_limit is " + itoa(l.complexity),
			Extensions: map[string]any{"code": CodeTooComplex, "complexity": c, "limit": l.complexity}}
	}
	return nil
}

// depth is the deepest field nesting of a selection set, fragments
// included; a fragment cycle is refused by validation before this runs,
// and at stops runaway recursion regardless.
func depth(set ast.SelectionSet, frags ast.FragmentDefinitionList, at int) int {
	if at > 1000 {
		return at
	}
	deepest := at
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			d = depth(s.SelectionSet, frags, at+1)
		case *ast.InlineFragment:
			d = depth(s.SelectionSet, frags, at)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = depth(f.SelectionSet, frags, at)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// setComplexity makes list fields cost their page size times their
// elements' cost, so `first` drives a query's cost.
func setComplexity(c *ComplexityRoot) {
	page := func(child int, first *int) int {
		n := 50
		if first != nil && *first > 0 {
			n = *first
		}
		return 1 + n*child
	}
	c.Query.Deliveries = func(child int, _ *DeliveryFilter, first *int, _ *string) int { return page(child, first) }
	c.Query.AuditLog = func(child int, first *int, _ *string) int { return page(child, first) }
	c.Query.Monitors = func(child int) int { return 1 + 10*child }
	c.Query.Triggers = func(child int) int { return 1 + 10*child }
	c.Query.Networks = func(child int) int { return 1 + 10*child }
	c.Query.APIKeys = func(child int) int { return 1 + 10*child }
	c.Query.Usage = func(child int, _, _ time.Time) int { return 1 + 24*child }
}

func itoa(n int) string { return strconv.Itoa(n) }
