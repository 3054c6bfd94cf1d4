// Which filters a template may use if it is to behave the same in Braze. Braze documents the
// Shopify filters it supports ("Liquid filters" and "Advanced filters" reference pages) and
// lists some as not supported; Shopify's storefront filters (images, assets, links, colors,
// fonts, translations) have no meaning outside a Shopify store and do not exist in Braze.

/** Shopify filters Braze does not support, with the reason shown in findings. */
export const UNSUPPORTED_FILTERS: ReadonlyMap<string, string> = new Map([
  ...names('not supported by Braze (Braze Liquid filter reference)', [
    'money_with_currency', 'money_without_currency', 'money_without_trailing_zeros', 'camelcase', 'camelize',
    'handle', 'handleize', 'pluralize', 'lstrip', 'rstrip', 'format_address', 'highlight',
  ]),
  ...names('a Shopify color filter; Braze supports none', [
    'color_to_rgb', 'color_to_hsl', 'color_to_hex', 'color_to_oklch', 'color_extract', 'color_brightness',
    'color_modify', 'color_lighten', 'color_darken', 'color_saturate', 'color_desaturate', 'color_mix',
    'color_contrast', 'color_difference', 'brightness_difference', 'hex_to_rgba',
  ]),
  ...names('a Shopify font filter; Braze supports none', ['font_face', 'font_url', 'font_modify']),
  ...names('a Shopify storefront filter (store assets, media, links, localization); it does not exist in Braze', [
    'img_url', 'image_url', 'img_tag', 'image_tag', 'asset_url', 'asset_img_url', 'file_url', 'file_img_url',
    'global_asset_url', 'shopify_asset_url', 'payment_type_img_url', 'payment_type_svg_tag', 'placeholder_svg_tag',
    'product_img_url', 'collection_img_url', 'article_img_url', 'link_to', 'link_to_vendor', 'link_to_type',
    'link_to_tag', 'link_to_add_tag', 'link_to_remove_tag', 'url_for_type', 'url_for_vendor', 'within', 'sort_by',
    'customer_login_link', 'customer_logout_link', 'customer_register_link', 'script_tag', 'stylesheet_tag',
    'preload_tag', 'time_tag', 'weight_with_unit', 'default_pagination', 'default_errors', 'metafield_tag',
    'metafield_text', 't', 'translate', 'currency_selector', 'payment_button', 'payment_terms', 'login_button',
    'avatar', 'structured_data', 'external_video_tag', 'external_video_url', 'video_tag', 'media_tag',
    'model_viewer_tag', 'highlight_active_tag', 'inline_asset_content', 'item_count_for_variant', 'line_items_for',
    'unit_price_with_measurement',
  ]),
]);

/**
 * Filters this engine provides (from liquidjs, following Jekyll) that are neither Shopify core
 * filters nor Braze filters: they render here but pass through unchanged in Braze.
 */
export const ENGINE_ONLY_FILTERS: ReadonlySet<string> = new Set([
  'where_exp', 'find_exp', 'find_index_exp', 'group_by', 'group_by_exp', 'has_exp', 'reject_exp', 'jsonify',
  'inspect', 'to_integer', 'push', 'pop', 'shift', 'unshift', 'normalize_whitespace', 'number_of_words',
  'array_to_sentence_string', 'xml_escape', 'cgi_escape', 'uri_escape', 'slugify', 'date_to_xmlschema',
  'date_to_rfc822', 'date_to_string', 'date_to_long_string', 'sample',
]);

function names(reason: string, list: string[]): [string, string][] {
  return list.map((name) => [name, reason]);
}
