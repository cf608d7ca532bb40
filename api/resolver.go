package api

// resolver is the root of the resolvers; each resolver reads the caller
// from its context and acts only in the caller's tenant.
type resolver struct{ o *options }

func (r *resolver) Query() QueryResolver               { return &queryResolver{r} }
func (r *resolver) Mutation() MutationResolver         { return &mutationResolver{r} }
func (r *resolver) Subscription() SubscriptionResolver { return &subscriptionResolver{r} }

type queryResolver struct{ *resolver }
type mutationResolver struct{ *resolver }
type subscriptionResolver struct{ *resolver }
