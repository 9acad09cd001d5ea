package efi

import (
	"context"
	"net/url"
	"strconv"
)

// PlanRequest is POST /v1/plan: interval 1–24 months, repeats 2–120 (nil: unlimited).
type PlanRequest struct {
	Name     string `json:"name"`
	Interval int    `json:"interval"`
	Repeats  *int   `json:"repeats,omitempty"`
}

// Plan is a subscription plan.
type Plan struct {
	PlanID    int64  `json:"plan_id"`
	Name      string `json:"name"`
	Interval  int    `json:"interval"`
	Repeats   *int   `json:"repeats"`
	CreatedAt string `json:"created_at"`
}

func planPath(id int64, suffix string) string {
	return "/v1/plan/" + strconv.FormatInt(id, 10) + suffix
}

func subPath(id int64, suffix string) string {
	return "/v1/subscription/" + strconv.FormatInt(id, 10) + suffix
}

// CreatePlan is POST /v1/plan.
func (c *Client) CreatePlan(ctx context.Context, r PlanRequest) (Plan, error) {
	var out envelope[Plan]
	err := c.call(ctx, Charges, "POST", "/v1/plan", "/v1/plan", r, &out)
	return out.Data, err
}

// ListPlans is GET /v1/plans (name filter optional).
func (c *Client) ListPlans(ctx context.Context, name string, limit, offset int) ([]Plan, error) {
	q := url.Values{}
	if name != "" {
		q.Set("name", name)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	path := "/v1/plans"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out envelope[[]Plan]
	err := c.call(ctx, Charges, "GET", "/v1/plans", path, nil, &out)
	return out.Data, err
}

// UpdatePlan is PUT /v1/plan/:id (only the name changes).
func (c *Client) UpdatePlan(ctx context.Context, id int64, name string) error {
	return c.call(ctx, Charges, "PUT", "/v1/plan/:id", planPath(id, ""), map[string]string{"name": name}, nil)
}

// DeletePlan is DELETE /v1/plan/:id (refused while subscriptions use it).
func (c *Client) DeletePlan(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "DELETE", "/v1/plan/:id", planPath(id, ""), nil, nil)
}

// SubscriptionRequest is the body of the subscription creations.
type SubscriptionRequest struct {
	Items     []Item        `json:"items"`
	Shippings []Shipping    `json:"shippings,omitempty"`
	Metadata  *Metadata     `json:"metadata,omitempty"`
	Payment   *Payment      `json:"payment,omitempty"`
	Settings  *LinkSettings `json:"settings,omitempty"`
}

// SubscriptionCharge is a charge of a subscription.
type SubscriptionCharge struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Parcel int    `json:"parcel"`
	Total  int64  `json:"total"`
}

// Subscription is the answer of the subscription routes.
type Subscription struct {
	SubscriptionID  int64               `json:"subscription_id"`
	Status          string              `json:"status"`
	Value           int64               `json:"value,omitempty"`
	CustomID        *string             `json:"custom_id"`
	NotificationURL *string             `json:"notification_url,omitempty"`
	PaymentMethod   *string             `json:"payment_method,omitempty"`
	NextExecution   *string             `json:"next_execution,omitempty"`
	NextExpireAt    *string             `json:"next_expire_at,omitempty"`
	Occurrences     int                 `json:"occurrences,omitempty"`
	Charge          *SubscriptionCharge `json:"charge,omitempty"`
	PaymentURL      string              `json:"payment_url,omitempty"`
	Barcode         string              `json:"barcode,omitempty"`
	FirstExecution  string              `json:"first_execution,omitempty"`
	Total           int64               `json:"total,omitempty"`
	CreatedAt       string              `json:"created_at,omitempty"`
	History         []struct {
		ChargeID  int64  `json:"charge_id"`
		Status    string `json:"status"`
		CreatedAt string `json:"created_at"`
	} `json:"history,omitempty"`
}

// CreateSubscription is POST /v1/plan/:id/subscription (two steps).
func (c *Client) CreateSubscription(ctx context.Context, planID int64, r SubscriptionRequest) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "POST", "/v1/plan/:id/subscription", planPath(planID, "/subscription"), r, &out)
	return out.Data, err
}

// CreateOneStepSubscription is POST /v1/plan/:id/subscription/one-step (boleto or card).
func (c *Client) CreateOneStepSubscription(ctx context.Context, planID int64, r SubscriptionRequest) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "POST", "/v1/plan/:id/subscription/one-step", planPath(planID, "/subscription/one-step"), r, &out)
	return out.Data, err
}

// CreateOneStepSubscriptionLink is POST /v1/plan/:id/subscription/one-step/link.
func (c *Client) CreateOneStepSubscriptionLink(ctx context.Context, planID int64, r SubscriptionRequest) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "POST", "/v1/plan/:id/subscription/one-step/link", planPath(planID, "/subscription/one-step/link"), r, &out)
	return out.Data, err
}

// DetailSubscription is GET /v1/subscription/:id.
func (c *Client) DetailSubscription(ctx context.Context, id int64) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "GET", "/v1/subscription/:id", subPath(id, ""), nil, &out)
	return out.Data, err
}

// PaySubscription is POST /v1/subscription/:id/pay.
func (c *Client) PaySubscription(ctx context.Context, id int64, p Payment) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "POST", "/v1/subscription/:id/pay", subPath(id, "/pay"), map[string]any{"payment": p}, &out)
	return out.Data, err
}

// SubscriptionUpdate is PUT /v1/subscription/:id (card subscriptions only).
type SubscriptionUpdate struct {
	PlanID   int64     `json:"plan_id,omitempty"`
	Customer *Customer `json:"customer,omitempty"`
	Items    []Item    `json:"items,omitempty"`
}

// UpdateSubscription is PUT /v1/subscription/:id.
func (c *Client) UpdateSubscription(ctx context.Context, id int64, u SubscriptionUpdate) (Subscription, error) {
	var out envelope[Subscription]
	err := c.call(ctx, Charges, "PUT", "/v1/subscription/:id", subPath(id, ""), u, &out)
	return out.Data, err
}

// CancelSubscription is PUT /v1/subscription/:id/cancel.
func (c *Client) CancelSubscription(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "PUT", "/v1/subscription/:id/cancel", subPath(id, "/cancel"), nil, nil)
}

// UpdateSubscriptionMetadata is PUT /v1/subscription/:id/metadata.
func (c *Client) UpdateSubscriptionMetadata(ctx context.Context, id int64, m Metadata) error {
	return c.call(ctx, Charges, "PUT", "/v1/subscription/:id/metadata", subPath(id, "/metadata"), map[string]any{"custom_id": nilIfEmpty(m.CustomID), "notification_url": nilIfEmpty(m.NotificationURL)}, nil)
}

// AddSubscriptionHistory is POST /v1/subscription/:id/history.
func (c *Client) AddSubscriptionHistory(ctx context.Context, id int64, description string) error {
	return c.call(ctx, Charges, "POST", "/v1/subscription/:id/history", subPath(id, "/history"), map[string]string{"description": description}, nil)
}

// ResendSubscriptionLink is POST /v1/charge/:id/subscription/resend (:id is the link's charge).
func (c *Client) ResendSubscriptionLink(ctx context.Context, chargeID int64, email string) error {
	return c.call(ctx, Charges, "POST", "/v1/charge/:id/subscription/resend", chargePath(chargeID, "/subscription/resend"), map[string]string{"email": email}, nil)
}

// RefundCard is POST /v1/charge/card/:id/refund; amount 0 refunds in full.
func (c *Client) RefundCard(ctx context.Context, chargeID int64, amount int64) error {
	var body any
	if amount > 0 {
		body = map[string]int64{"amount": amount}
	} else {
		body = map[string]any{}
	}
	return c.call(ctx, Charges, "POST", "/v1/charge/card/:id/refund", "/v1/charge/card/"+strconv.FormatInt(chargeID, 10)+"/refund", body, nil)
}

// RetryCard is POST /v1/charge/:id/retry: pays a refused card charge again.
func (c *Client) RetryCard(ctx context.Context, chargeID int64, card CreditCard) (PayResult, error) {
	var out envelope[PayResult]
	err := c.call(ctx, Charges, "POST", "/v1/charge/:id/retry", chargePath(chargeID, "/retry"), map[string]any{"payment": map[string]any{"credit_card": card}}, &out)
	return out.Data, err
}
