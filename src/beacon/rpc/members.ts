import type { PresenceMember } from "../../contract/rpc";
import type { ChannelReadState } from "./attributes";

/** A presence channel's members with the user_info each brought, for the dashboard's channel view. */
export function channelMembers(state: ChannelReadState, channel: string): PresenceMember[] {
  return state.presence.membersWithInfo(channel);
}
