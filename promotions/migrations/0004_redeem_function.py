"""On PostgreSQL: a redemption as one database function, run in one round trip (bench/codes.py).

The function checks the code as the Python path does (exists, valid now, on
this channel, the cart has none yet), then raises the code's uses, the
customer's campaign count and the campaign's counter and records the
redemption; each raise is conditional and a failed one aborts the whole call. In one statement, the campaign's
row (shared by every redemption of the campaign) stays locked only while the
server runs the call, not across round trips to the client and the commit.
SQLite runs the same steps from Python (promotions.services).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION promotions_redeem(
    p_code text, p_user bigint, p_cart uuid, p_site_campaigns bigint[], p_at timestamptz,
    OUT outcome text, OUT redemption_id bigint, OUT starts_at timestamptz, OUT code_id bigint, OUT campaign_id bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    c record;
BEGIN
    SELECT code.id, code.max_uses, code.campaign_id, campaign.starts_at, campaign.ends_at, campaign.is_active,
           campaign.web_shop, campaign.per_user_limit
    INTO c
    FROM promotions_code code JOIN promotions_campaign campaign ON campaign.id = code.campaign_id
    WHERE code.code = p_code;
    -- Refusals before any write: answered, not raised.
    IF NOT FOUND THEN
        outcome := 'unknown'; RETURN;
    END IF;
    IF p_at < c.starts_at THEN
        outcome := 'not_yet_valid'; starts_at := c.starts_at; RETURN;
    END IF;
    IF NOT c.is_active OR p_at >= c.ends_at THEN
        outcome := 'expired'; RETURN;
    END IF;
    IF p_site_campaigns IS NULL AND NOT c.web_shop THEN
        outcome := 'wrong_channel_web'; RETURN;
    END IF;
    IF p_site_campaigns IS NOT NULL AND NOT c.campaign_id = ANY (p_site_campaigns) THEN
        outcome := 'wrong_channel_site'; RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM promotions_redemption WHERE cart_id = p_cart AND status = 'active') THEN
        outcome := 'cart_has_code'; RETURN;
    END IF;
    code_id := c.id;
    campaign_id := c.campaign_id;
    -- The writes, each conditional; a failed one undoes the ones before it (the raise aborts the call).
    UPDATE promotions_code SET used = used + 1 WHERE id = c.id AND used < max_uses;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promotions:used:%', c.max_uses;
    END IF;
    INSERT INTO promotions_campaignuse (campaign_id, user_id, count) VALUES (c.campaign_id, p_user, 1)
    ON CONFLICT (campaign_id, user_id) DO UPDATE SET count = promotions_campaignuse.count + 1
        WHERE promotions_campaignuse.count < c.per_user_limit;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promotions:user_limit';
    END IF;
    INSERT INTO promotions_redemption (code_id, campaign_id, user_id, cart_id, status, created_at, release_reason)
    VALUES (c.id, c.campaign_id, p_user, p_cart, 'active', p_at, '') RETURNING id INTO redemption_id;
    -- Last: the row every redemption of the campaign shares.
    UPDATE promotions_campaign SET redeemed = redeemed + 1
    WHERE id = c.campaign_id AND (quota IS NULL OR redeemed < quota);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promotions:quota';
    END IF;
    outcome := 'redeemed';
END;
$$;
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # no placeholders: the body has its own %


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP FUNCTION IF EXISTS promotions_redeem(text, bigint, uuid, bigint[], timestamptz)"
        )


class Migration(migrations.Migration):
    dependencies = [("promotions", "0003_sponsor_portal")]

    operations = [migrations.RunPython(create, drop)]
