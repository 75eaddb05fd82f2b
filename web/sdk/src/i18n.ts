// Strings of the SDK in English and Spanish. Keys are stable; a missing
// Spanish string falls back to English.

export type Locale = 'en' | 'es';

const en = {
  loading: 'Loading…',
  verifyTitle: 'Verify your identity',
  consentTitle: 'Before we start',
  consentText:
    'To verify your identity we will process the information you provide in the next steps. Your data is encrypted and used only for this verification.',
  consentAccept: 'I agree',
  consentReject: 'I do not agree',
  phoneTitle: 'Confirm your phone number',
  phoneIntro: 'We will send you a text message with a 6-digit code.',
  phoneLabel: 'Mobile phone number',
  phoneHint: 'Include the country code, for example +44 7911 123456.',
  emailTitle: 'Confirm your email address',
  emailIntro: 'We will send you an email with a 6-digit code.',
  emailLabel: 'Email address',
  sendCode: 'Send code',
  codeTitlePhone: 'Enter the code we sent by text message',
  codeTitleEmail: 'Enter the code we sent by email',
  codeLabel: '6-digit code',
  codeHint: 'You can paste the code.',
  verify: 'Verify',
  resend: 'Send a new code',
  resendIn: 'You can ask for a new code in {s} s.',
  sendsLeft: 'New codes left: {n}.',
  noSendsLeft: 'No new codes can be sent.',
  attemptsLeft: 'Attempts left: {n}.',
  changeDestination: 'Use a different one',
  completedTitle: 'Verification complete',
  completedText: 'Thank you. You have finished all the steps.',
  rejectedTitle: 'We could not verify you',
  rejectedText: 'This verification could not be completed.',
  cancelTitle: 'Verification cancelled',
  cancelText: 'This verification was cancelled. You can close this page.',
  expiredTitle: 'This link has expired',
  expiredText: 'This verification link is no longer valid. Ask for a new one.',
  redirecting: 'Taking you back in a few seconds…',
  continue: 'Continue',
  notAvailableTitle: 'This step is not available here yet',
  notAvailableText:
    'The step “{step}” cannot be done in this browser yet. Keep this page open: it moves on by itself when the step is done elsewhere.',
  browserTitle: 'Your browser is not supported',
  browserText: 'Please open this page in an up-to-date browser such as Chrome, Firefox, Safari or Edge.',
  errorTitle: 'Something went wrong',
  errorText: 'Please try again in a moment.',
  retry: 'Try again',
  notFoundTitle: 'Verification not found',
  notFoundText: 'This link is not valid. Check that you opened the whole link.',
  handoffTitle: 'Continue on your phone',
  handoffText: 'Scan this code with your phone’s camera to continue there.',
  handoffAlt: 'QR code of this verification page',
  stepOf: 'Step {i} of {n}',
  required: 'This field is required.',
  invalidCode: 'Enter the 6 digits of the code.',
  wrongCode: 'That code is not correct.',
  codeExpired: 'The code has expired. Ask for a new one.',
};

export type Strings = typeof en;

const es: Strings = {
  loading: 'Cargando…',
  verifyTitle: 'Verifica tu identidad',
  consentTitle: 'Antes de empezar',
  consentText:
    'Para verificar tu identidad trataremos la información que facilites en los siguientes pasos. Tus datos se cifran y solo se usan para esta verificación.',
  consentAccept: 'Acepto',
  consentReject: 'No acepto',
  phoneTitle: 'Confirma tu número de teléfono',
  phoneIntro: 'Te enviaremos un SMS con un código de 6 dígitos.',
  phoneLabel: 'Número de móvil',
  phoneHint: 'Incluye el prefijo del país, por ejemplo +34 612 345 678.',
  emailTitle: 'Confirma tu correo electrónico',
  emailIntro: 'Te enviaremos un correo con un código de 6 dígitos.',
  emailLabel: 'Correo electrónico',
  sendCode: 'Enviar código',
  codeTitlePhone: 'Introduce el código que te enviamos por SMS',
  codeTitleEmail: 'Introduce el código que te enviamos por correo',
  codeLabel: 'Código de 6 dígitos',
  codeHint: 'Puedes pegar el código.',
  verify: 'Verificar',
  resend: 'Enviar un código nuevo',
  resendIn: 'Podrás pedir un código nuevo en {s} s.',
  sendsLeft: 'Códigos nuevos disponibles: {n}.',
  noSendsLeft: 'No se pueden enviar más códigos.',
  attemptsLeft: 'Intentos restantes: {n}.',
  changeDestination: 'Usar otro',
  completedTitle: 'Verificación completada',
  completedText: 'Gracias. Has terminado todos los pasos.',
  rejectedTitle: 'No hemos podido verificarte',
  rejectedText: 'Esta verificación no se ha podido completar.',
  cancelTitle: 'Verificación cancelada',
  cancelText: 'Esta verificación se ha cancelado. Puedes cerrar esta página.',
  expiredTitle: 'Este enlace ha caducado',
  expiredText: 'Este enlace de verificación ya no es válido. Pide uno nuevo.',
  redirecting: 'Te llevamos de vuelta en unos segundos…',
  continue: 'Continuar',
  notAvailableTitle: 'Este paso aún no está disponible aquí',
  notAvailableText:
    'El paso «{step}» todavía no se puede hacer en este navegador. Deja esta página abierta: avanzará sola cuando el paso se complete en otro lugar.',
  browserTitle: 'Tu navegador no es compatible',
  browserText: 'Abre esta página en un navegador actualizado como Chrome, Firefox, Safari o Edge.',
  errorTitle: 'Algo ha fallado',
  errorText: 'Inténtalo de nuevo en un momento.',
  retry: 'Reintentar',
  notFoundTitle: 'Verificación no encontrada',
  notFoundText: 'Este enlace no es válido. Comprueba que has abierto el enlace completo.',
  handoffTitle: 'Continúa en tu móvil',
  handoffText: 'Escanea este código con la cámara de tu móvil para continuar allí.',
  handoffAlt: 'Código QR de esta página de verificación',
  stepOf: 'Paso {i} de {n}',
  required: 'Este campo es obligatorio.',
  invalidCode: 'Introduce los 6 dígitos del código.',
  wrongCode: 'El código no es correcto.',
  codeExpired: 'El código ha caducado. Pide uno nuevo.',
};

const tables: Record<Locale, Strings> = { en, es };

/** pickLocale chooses the first supported language among the candidates (BCP 47 tags). */
export function pickLocale(...candidates: (string | null | undefined)[]): Locale {
  for (const c of candidates) {
    if (!c) continue;
    const lang = c.toLowerCase().split(/[-_]/)[0];
    if (lang === 'es' || lang === 'en') return lang;
  }
  return 'en';
}

/** strings returns the string table of a locale. */
export function strings(locale: Locale): Strings {
  return tables[locale];
}

/** format replaces {name} placeholders. */
export function format(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}
