import type { WebhookEndpoint } from "../../config/app";
import type { WebhookEventType } from "../../protocol/webhooks";

/** Whether an endpoint asked for this kind of event on this channel. */
export function endpointWants(endpoint: WebhookEndpoint, type: WebhookEventType, channel: string): boolean {
  if (!endpoint.eventTypes.includes(type)) return false;
  const { channelNameStartsWith, channelNameEndsWith } = endpoint.filter;
  if (channelNameStartsWith !== undefined && !channel.startsWith(channelNameStartsWith)) return false;
  if (channelNameEndsWith !== undefined && !channel.endsWith(channelNameEndsWith)) return false;
  return true;
}
