/**
 * Chat: conversations saved atomically, streamed answers, and `ChatService.generate()`, the
 * one path other capabilities use to run the chat model with their own prompt.
 */
export { ChatService, type ChatServiceOptions } from './chat-service';
export { ChatGenerator, type GenerateMessage, type GenerateRequest, type GenerateResult } from './chat-generator';
export { ConversationStore, type StoredConversation } from './conversation-store';
export { ChatBusyError } from './chat-busy-error';
export { ConversationNotFoundError } from './conversation-not-found-error';
export { conversationToMarkdown } from './markdown-export';
export { searchConversations, type ChatSearchHit } from './search';
export { type NetworkGenerator, type NetworkGenerateRequest, type NetworkGenerateResult } from './network-generator';
export { createNetworkGenerator, type ContractNetworkGeneratorInit } from './contract-network-generator';
export { networkPrompt } from './network-prompt';
export { NetworkConsentError } from './network-consent-error';
export { NetworkNotRunningError } from './network-not-running-error';
