"""Fewer writes per redemption (bench/codes.py).

- The redemption function takes a usable code in one conditional UPDATE that
  checks everything a refusal could be about (window, channel, details asked,
  the cart's code, uses left); only when it takes nothing does it look up
  which refusal to answer. Before, every redemption first ran that lookup.
- Codes get a fillfactor of 80 on PostgreSQL: room on each page for a code's
  new row version, so raising ``used`` is a heap-only update that writes no
  index (pages filled by the bulk generation had none).
- ``promotions_code.code`` is unique by a constraint rather than
  ``unique=True``, which also built a LIKE index no query uses; a campaign's
  uses are indexed by their unique (campaign, user) constraint only.
"""

import django.db.models.deletion
from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION promotions_redeem(
    p_code text, p_user bigint, p_cart uuid, p_site_campaigns bigint[], p_at timestamptz,
    p_with_details boolean,
    OUT outcome text, OUT redemption_id bigint, OUT starts_at timestamptz, OUT code_id bigint, OUT campaign_id bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    c record;
    v_code bigint;
    v_campaign bigint;
    v_limit integer;
BEGIN
    -- The usual case: the code is taken by one conditional write that checks every reason to refuse it.
    UPDATE promotions_code code SET used = code.used + 1
    FROM promotions_campaign campaign
    WHERE code.code = p_code AND campaign.id = code.campaign_id AND code.used < code.max_uses
      AND campaign.is_active AND p_at >= campaign.starts_at AND p_at < campaign.ends_at
      AND CASE WHEN p_site_campaigns IS NULL THEN campaign.web_shop ELSE code.campaign_id = ANY (p_site_campaigns) END
      AND NOT EXISTS (SELECT 1 FROM promotions_redemption r WHERE r.cart_id = p_cart AND r.status = 'active')
      AND (p_with_details
           OR NOT EXISTS (SELECT 1 FROM promotions_eligibilityfield f WHERE f.campaign_id = code.campaign_id))
    RETURNING code.id, code.campaign_id, campaign.per_user_limit INTO v_code, v_campaign, v_limit;
    IF NOT FOUND THEN
        -- Refused: say why, in the order the customer should hear it (nothing was written).
        SELECT code.max_uses, code.campaign_id, campaign.starts_at, campaign.ends_at, campaign.is_active,
               campaign.web_shop
        INTO c
        FROM promotions_code code JOIN promotions_campaign campaign ON campaign.id = code.campaign_id
        WHERE code.code = p_code;
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
        IF NOT p_with_details AND EXISTS (SELECT 1 FROM promotions_eligibilityfield WHERE campaign_id = c.campaign_id)
        THEN
            outcome := 'needs_details'; RETURN;
        END IF;
        RAISE EXCEPTION 'promotions:used:%', c.max_uses;  -- what is left: no uses left
    END IF;
    -- The other writes, each conditional; a failed one undoes the ones before it (the raise aborts the call).
    INSERT INTO promotions_campaignuse (campaign_id, user_id, count) VALUES (v_campaign, p_user, 1)
    ON CONFLICT (campaign_id, user_id) DO UPDATE SET count = promotions_campaignuse.count + 1
        WHERE promotions_campaignuse.count < v_limit;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promotions:user_limit';
    END IF;
    INSERT INTO promotions_redemption (code_id, campaign_id, user_id, cart_id, status, created_at, release_reason)
    VALUES (v_code, v_campaign, p_user, p_cart, 'active', p_at, '') RETURNING id INTO redemption_id;
    -- Last: the row every redemption of the campaign shares.
    UPDATE promotions_campaign SET redeemed = redeemed + 1
    WHERE id = v_campaign AND (quota IS NULL OR redeemed < quota);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'promotions:quota';
    END IF;
    outcome := 'redeemed'; code_id := v_code; campaign_id := v_campaign;
END;
$$;
"""


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE promotions_code SET (fillfactor = 80)")
        schema_editor.execute(FUNCTION, params=None)  # no placeholders: the body has its own %


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        from importlib import import_module

        schema_editor.execute("ALTER TABLE promotions_code RESET (fillfactor)")
        schema_editor.execute(import_module("promotions.migrations.0005_eligibility_details").FUNCTION, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('promotions', '0010_campaign_target_nl_provinces'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaignuse',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='promotions.campaign', verbose_name='campaign'),
        ),
        migrations.AlterField(
            model_name='code',
            name='code',
            field=models.CharField(max_length=24, verbose_name='code'),
        ),
        migrations.AddConstraint(
            model_name='code',
            constraint=models.UniqueConstraint(fields=('code',), name='promotions_code_unique'),
        ),
        migrations.RunPython(create, drop),
    ]
