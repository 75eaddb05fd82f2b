// The server's JSON shapes the SDK reads (api/openapi.yaml).

/** Screen names of the preflight payload (docs/contracts.md). */
export type ScreenName =
  | 'consent_screen'
  | 'scan_id_document_front_screen'
  | 'scan_id_document_back_screen'
  | 'liveness_screen'
  | 'proof_of_address_screen'
  | 'proof_of_funds_screen'
  | 'phone_verification_start_screen'
  | 'email_verification_start_screen'
  | 'nfc_capture_screen'
  | 'video_call_screen'
  | 'completed_screen'
  | 'cancel_screen'
  | 'successful_screen'
  | 'rejected_screen';

/** Preflight is the payload of GET …/preflight and of every websocket push. */
export interface Preflight {
  session_id: string;
  status: string;
  requirement: { requirement_type: string; status: string; flow_order: number } | null;
  screen: { show: ScreenName | string; parameters: Record<string, unknown> };
  attempts: { used: number; max: number } | null;
  last_error: { reason: string; message: string } | null;
  web_sdk_return_url: string | null;
}

/** SessionInfo is the part of GET /v1/sessions/{id} the SDK uses. */
export interface SessionInfo {
  session_id: string;
  status: string;
  i18n?: string | null;
  steps: { kind: string; status: string; flow_order: number }[];
  web_sdk_return_url: string | null;
}

/** LogEvent is what onLog receives: an SDK event type (docs/contracts.md) and its payload. */
export interface LogEvent {
  type: string;
  payload: Record<string, unknown>;
}
