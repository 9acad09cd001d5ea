package efi

import (
	"context"
	"encoding/json"
	"strconv"
)

// Discount is a discount: Value is centavos ("currency") or ×100 ("percentage").
type Discount struct {
	Type  string `json:"type"`
	Value int64  `json:"value"`
}

// BilletConfig are a boleto's fine and interest (fine 200 = 2 %, interest 33 = 0,033 %/day).
type BilletConfig struct {
	Fine     int64 `json:"fine,omitempty"`
	Interest int64 `json:"interest,omitempty"`
}

// CarnetRequest is POST /v1/carnet (§5): 2 to 12 monthly parcels.
type CarnetRequest struct {
	Items               []Item               `json:"items"`
	Customer            Customer             `json:"customer"`
	ExpireAt            string               `json:"expire_at"`
	Repeats             int                  `json:"repeats"`
	SplitItems          bool                 `json:"split_items,omitempty"`
	Configurations      *BilletConfig        `json:"configurations,omitempty"`
	Message             string               `json:"message,omitempty"`
	Metadata            *Metadata            `json:"metadata,omitempty"`
	Discount            *Discount            `json:"discount,omitempty"`
	ConditionalDiscount *ConditionalDiscount `json:"conditional_discount,omitempty"`
}

// Parcel is an int, though the create response sends it as a string (§12 item 4).
type Parcel int

// UnmarshalJSON accepts 1 and "1".
func (p *Parcel) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		n, err := strconv.Atoi(s)
		*p = Parcel(n)
		return err
	}
	var n int
	err := json.Unmarshal(b, &n)
	*p = Parcel(n)
	return err
}

// CarnetCharge is one parcel of a carnê.
type CarnetCharge struct {
	ChargeID   int64  `json:"charge_id"`
	Parcel     Parcel `json:"parcel"`
	Status     string `json:"status"`
	Value      int64  `json:"value"`
	ExpireAt   string `json:"expire_at"`
	URL        string `json:"url"`
	ParcelLink string `json:"parcel_link,omitempty"`
	Barcode    string `json:"barcode"`
}

// Carnet is the answer of create and detail.
type Carnet struct {
	CarnetID        int64          `json:"carnet_id"`
	Status          string         `json:"status"`
	Repeats         int            `json:"repeats,omitempty"`
	Cover           string         `json:"cover"`
	Link            string         `json:"link"`
	CarnetLink      string         `json:"carnet_link,omitempty"`
	Value           int64          `json:"value,omitempty"`
	CustomID        *string        `json:"custom_id,omitempty"`
	NotificationURL *string        `json:"notification_url,omitempty"`
	SplitItems      bool           `json:"split_items,omitempty"`
	Charges         []CarnetCharge `json:"charges"`
	CreatedAt       string         `json:"created_at,omitempty"`
	History         []HistoryEntry `json:"history,omitempty"`
}

func carnetPath(id int64, suffix string) string {
	return "/v1/carnet/" + strconv.FormatInt(id, 10) + suffix
}

func parcelPath(id int64, parcel int, suffix string) string {
	return carnetPath(id, "/parcel/"+strconv.Itoa(parcel)+suffix)
}

// CreateCarnet is POST /v1/carnet.
func (c *Client) CreateCarnet(ctx context.Context, r CarnetRequest) (Carnet, error) {
	var out envelope[Carnet]
	err := c.call(ctx, Charges, "POST", "/v1/carnet", "/v1/carnet", r, &out)
	return out.Data, err
}

// DetailCarnet is GET /v1/carnet/:id.
func (c *Client) DetailCarnet(ctx context.Context, id int64) (Carnet, error) {
	var out envelope[Carnet]
	err := c.call(ctx, Charges, "GET", "/v1/carnet/:id", carnetPath(id, ""), nil, &out)
	return out.Data, err
}

// UpdateCarnetMetadata is PUT /v1/carnet/:id/metadata.
func (c *Client) UpdateCarnetMetadata(ctx context.Context, id int64, m Metadata) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/metadata", carnetPath(id, "/metadata"), map[string]any{"custom_id": nilIfEmpty(m.CustomID), "notification_url": nilIfEmpty(m.NotificationURL)}, nil)
}

// UpdateCarnetParcel is PUT /v1/carnet/:id/parcel/:parcel: a new due date.
func (c *Client) UpdateCarnetParcel(ctx context.Context, id int64, parcel int, expireAt string) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/parcel/:parcel", parcelPath(id, parcel, ""), map[string]string{"expire_at": expireAt}, nil)
}

// ParcelDate is one parcel's new due date.
type ParcelDate struct {
	Parcel   int    `json:"parcel"`
	ExpireAt string `json:"expire_at"`
}

// UpdateCarnetParcels is PUT /v1/carnet/:id/parcels.
func (c *Client) UpdateCarnetParcels(ctx context.Context, id int64, parcels []ParcelDate) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/parcels", carnetPath(id, "/parcels"), map[string]any{"parcels": parcels}, nil)
}

// CancelCarnet is PUT /v1/carnet/:id/cancel.
func (c *Client) CancelCarnet(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/cancel", carnetPath(id, "/cancel"), nil, nil)
}

// CancelCarnetParcel is PUT /v1/carnet/:id/parcel/:parcel/cancel.
func (c *Client) CancelCarnetParcel(ctx context.Context, id int64, parcel int) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/parcel/:parcel/cancel", parcelPath(id, parcel, "/cancel"), nil, nil)
}

// SettleCarnet is PUT /v1/carnet/:id/settle.
func (c *Client) SettleCarnet(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/settle", carnetPath(id, "/settle"), nil, nil)
}

// SettleCarnetParcel is PUT /v1/carnet/:id/parcel/:parcel/settle.
func (c *Client) SettleCarnetParcel(ctx context.Context, id int64, parcel int) error {
	return c.call(ctx, Charges, "PUT", "/v1/carnet/:id/parcel/:parcel/settle", parcelPath(id, parcel, "/settle"), nil, nil)
}

// ResendCarnet is POST /v1/carnet/:id/resend.
func (c *Client) ResendCarnet(ctx context.Context, id int64, email string) error {
	return c.call(ctx, Charges, "POST", "/v1/carnet/:id/resend", carnetPath(id, "/resend"), map[string]string{"email": email}, nil)
}

// ResendCarnetParcel is POST /v1/carnet/:id/parcel/:parcel/resend.
func (c *Client) ResendCarnetParcel(ctx context.Context, id int64, parcel int, email string) error {
	return c.call(ctx, Charges, "POST", "/v1/carnet/:id/parcel/:parcel/resend", parcelPath(id, parcel, "/resend"), map[string]string{"email": email}, nil)
}

// AddCarnetHistory is POST /v1/carnet/:id/history.
func (c *Client) AddCarnetHistory(ctx context.Context, id int64, description string) error {
	return c.call(ctx, Charges, "POST", "/v1/carnet/:id/history", carnetPath(id, "/history"), map[string]string{"description": description}, nil)
}
