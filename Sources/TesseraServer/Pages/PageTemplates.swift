/// The HTML of the pages a user sees, as Mustache templates. They are compiled into the binary
/// (no template directory to ship), need no JavaScript, and read on a phone. `{{x}}` escapes
/// HTML; the unescaped form is used for our own constant stylesheet only.
enum PageTemplates {
    /// One stylesheet for every page, inline and allowed by its hash in the page's CSP.
    static let stylesheet = """
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;\
        background:#f4f5f7;color:#1d2330}main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;\
        border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.08)}h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:1.25rem 0 .5rem}\
        .tenant{color:#5b6475;font-size:.85rem;text-transform:uppercase;letter-spacing:.05em;margin:0 0 .25rem}\
        label{display:block;font-weight:600;margin:.75rem 0 .25rem}input{width:100%;padding:.65rem;font-size:1rem;\
        border:1px solid #c4c9d4;border-radius:8px}button{width:100%;margin-top:1rem;padding:.75rem;font-size:1rem;\
        font-weight:600;border:0;border-radius:8px;background:#2b59c3;color:#fff;cursor:pointer}\
        button.secondary{background:#e6e8ee;color:#1d2330}.error{background:#fdecec;color:#8a1c1c;padding:.6rem .8rem;\
        border-radius:8px}ul{padding-left:1.2rem}li{margin:.4rem 0}.muted{color:#5b6475;font-size:.9rem}\
        code{font-size:.85rem;word-break:break-all}.app{border-top:1px solid #e6e8ee;padding:.75rem 0}\
        .app form button{width:auto;padding:.4rem .9rem;margin-top:.5rem}\
        .code{font:600 1.3rem ui-monospace,monospace;letter-spacing:.1em}.code-check{background:#eef3fd;padding:.6rem .8rem;\
        border-radius:8px}.warning{background:#fff6e0;color:#6b4a00;padding:.6rem .8rem;border-radius:8px}
        """

    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>{{title}} · {{tenantName}}</title>
        <style>{{{stylesheet}}}</style>
        </head>
        <body>
        <main>
        <p class="tenant">{{tenantName}}</p>
        """

    static let foot = """
        </main>
        </body>
        </html>
        """

    static let login = """
        {{> head}}
        <h1>Sign in</h1>
        {{#clientName}}<p><strong>{{clientName}}</strong> wants to use your account.</p>{{/clientName}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <label for="username">Username</label>
        <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus>
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit">Sign in</button>
        </form>
        {{#providers}}<form method="post" action="{{upstreamAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <input type="hidden" name="provider" value="{{slug}}">
        <button type="submit" class="secondary">Sign in with {{name}}</button>
        </form>
        {{/providers}}
        {{#passkeyOptions}}<form method="post" action="{{passkeyAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <input type="hidden" name="credential" value="">
        <p class="error passkey-error" role="alert" hidden></p>
        <button type="button" class="secondary" data-webauthn="{{passkeyOptions}}" hidden>Sign in with a passkey</button>
        </form>
        <script>{{{passkeyScript}}}</script>{{/passkeyOptions}}
        {{> foot}}
        """

    static let secondFactor = """
        {{> head}}
        <h1>Enter your code</h1>
        {{#clientName}}<p><strong>{{clientName}}</strong> wants to use your account.</p>{{/clientName}}
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        {{#offersCode}}<p>Open your authenticator app and type the six-digit code it shows for this account.</p>
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <label for="otp">Code</label>
        <input id="otp" name="otp" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required autofocus>
        <button type="submit">Continue</button>
        </form>{{/offersCode}}
        {{#passkeyOptions}}<p>{{#offersCode}}Or use{{/offersCode}}{{^offersCode}}Use{{/offersCode}} one of your passkeys.</p>{{/passkeyOptions}}
        {{#passkeyOptions}}<form method="post" action="{{passkeyAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <input type="hidden" name="credential" value="">
        <p class="error passkey-error" role="alert" hidden></p>
        <button type="button" class="secondary" data-webauthn="{{passkeyOptions}}" hidden>Use a passkey</button>
        </form>
        <script>{{{passkeyScript}}}</script>{{/passkeyOptions}}
        {{> foot}}
        """

    static let signOut = """
        {{> head}}
        <h1>Sign out?</h1>
        {{#clientName}}<p><strong>{{clientName}}</strong> asks to sign you out of this service.</p>{{/clientName}}
        <p>You will need your password the next time an application asks you to sign in here.</p>
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <button type="submit">Sign out</button>
        </form>
        {{> foot}}
        """

    static let consent = """
        {{> head}}
        <h1>Allow {{clientName}}?</h1>
        {{#appHost}}<p class="muted">An app at <strong>{{appHost}}</strong></p>{{/appHost}}
        {{#unverified}}<p class="warning">This app was not added by {{tenantName}}, and no administrator has verified it. Allow it only if you know it.</p>{{/unverified}}
        <p>Signed in as <strong>{{username}}</strong>. <strong>{{clientName}}</strong> asks to act on your behalf:</p>
        {{#userCode}}<p class="code-check">Allow only if your device shows <strong class="code">{{userCode}}</strong>.</p>{{/userCode}}
        <ul>
        {{#scopes}}<li><strong>{{name}}</strong>{{#description}}: {{description}}{{/description}}{{#alreadyGranted}} <span class="muted">(allowed before)</span>{{/alreadyGranted}}</li>
        {{/scopes}}
        </ul>
        {{#hasAudience}}<p class="muted">At: {{#audience}}<code>{{.}}</code> {{/audience}}</p>{{/hasAudience}}
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <button type="submit" name="decision" value="approve">Allow</button>
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
        </form>
        <p class="muted">You can withdraw this at any time on <a href="{{accountURL}}">your account page</a>.</p>
        {{> foot}}
        """

    static let account = """
        {{> head}}
        <h1>Your account</h1>
        <p>Signed in as <strong>{{username}}</strong>.</p>
        <h2>Apps that act on your behalf</h2>
        {{^apps}}<p class="muted">None: you have not allowed any app yet.</p>{{/apps}}
        {{#apps}}<div class="app">
        <strong>{{clientName}}</strong>
        {{#host}}<div class="muted">An app at {{host}}{{#unverified}}, not verified by {{tenantName}}{{/unverified}}</div>{{/host}}
        <div class="muted">{{scope}}</div>
        <form method="post" action="{{revokeAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="client_id" value="{{clientID}}">
        <button type="submit" class="secondary">Remove access</button>
        </form>
        </div>
        {{/apps}}
        {{#offersTOTP}}<h2>Two-step sign-in</h2>
        {{#hasTOTP}}<p>An authenticator app asks for a code after your password.</p>
        {{#canTurnOff}}<form method="post" action="{{totpRemoveAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <button type="submit" class="secondary">Turn off two-step sign-in</button>
        </form>{{/canTurnOff}}{{/hasTOTP}}
        {{^hasTOTP}}<p class="muted">{{#hasPasskeys}}After your password, one of your passkeys is asked for.{{/hasPasskeys}}{{^hasPasskeys}}Off: your password alone signs you in.{{/hasPasskeys}}</p>
        <form method="post" action="{{totpSetupAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <button type="submit">Set up an authenticator app</button>
        </form>{{/hasTOTP}}{{/offersTOTP}}
        <h2>Passkeys</h2>
        {{#passkeysUnavailable}}<p class="muted">Passkeys need this service at a domain name; at an address such as 127.0.0.1 browsers cannot keep them.</p>{{/passkeysUnavailable}}
        {{^passkeysUnavailable}}{{^passkeys}}<p class="muted">None yet. A passkey signs you in with your fingerprint, face or screen lock instead of a password, and cannot be phished.</p>{{/passkeys}}{{/passkeysUnavailable}}
        {{#passkeys}}<div class="app">
        <strong>{{name}}</strong>
        <div class="muted">Added {{created}}{{#lastUsed}} · last used {{lastUsed}}{{/lastUsed}}{{#synced}} · synced to your other devices{{/synced}}</div>
        <form method="post" action="{{removeAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="credential_id" value="{{id}}">
        <button type="submit" class="secondary">Remove</button>
        </form>
        </div>
        {{/passkeys}}
        {{#passkeyOptions}}<form method="post" action="{{passkeyAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="credential" value="">
        <label for="passkey-name">Name of the new passkey</label>
        <input id="passkey-name" name="name" maxlength="64" placeholder="My laptop">
        <p class="error passkey-error" role="alert" hidden></p>
        <button type="button" data-webauthn="{{passkeyOptions}}" hidden>Add a passkey</button>
        </form>
        <script>{{{passkeyScript}}}</script>{{/passkeyOptions}}
        {{! Sessions (Back-Channel Logout): the user's sign-ins, each ended on its own or all others. }}
        <h2>Where you are signed in</h2>
        {{#sessions}}<div class="app">
        <strong>{{browser}}</strong>{{#isCurrent}} <span class="muted">(this browser)</span>{{/isCurrent}}
        <div class="muted">Signed in {{signedInAt}} · {{methods}}</div>
        <form method="post" action="{{endAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="sid" value="{{sid}}">
        <button type="submit" class="secondary">Sign out of this session</button>
        </form>
        </div>
        {{/sessions}}
        {{#hasOtherSessions}}<form method="post" action="{{endOthersAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <button type="submit" class="secondary">Sign out of all other sessions</button>
        </form>{{/hasOtherSessions}}
        {{! End of sessions. }}
        <form method="post" action="{{logoutAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <button type="submit" class="secondary">Sign out</button>
        </form>
        {{> foot}}
        """

    static let totpSetup = """
        {{> head}}
        <h1>Set up an authenticator app</h1>
        {{#required}}<p>This service asks for a code from an authenticator app at every sign-in. Set one up to continue.</p>{{/required}}
        <p>Add this account to your authenticator app: scan the code, open <a href="{{uri}}">this link</a> on your phone, or type the key.</p>
        {{#qr}}<div class="qr">{{{qr}}}</div>{{/qr}}
        <p class="code">{{key}}</p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="offer" value="{{offer}}">
        {{#pending}}<input type="hidden" name="pending" value="{{pending}}">{{/pending}}
        <label for="otp">The code your app shows now</label>
        <input id="otp" name="otp" inputmode="numeric" pattern="[0-9 ]*" autocomplete="one-time-code" required autofocus>
        <button type="submit">Turn on</button>
        </form>
        {{> foot}}
        """

    static let recoveryCodes = """
        {{> head}}
        <h1>Two-step sign-in is on</h1>
        <p>Keep these recovery codes somewhere safe. Each signs you in once if your phone is lost; they are shown only now.</p>
        <ul class="codes">{{#codes}}<li><code>{{.}}</code></li>{{/codes}}</ul>
        {{#continueAction}}<form method="post" action="{{continueAction}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <input type="hidden" name="pending" value="{{pending}}">
        <button type="submit">Continue</button>
        </form>{{/continueAction}}
        {{^continueAction}}<p><a href="{{accountURL}}">Back to your account</a></p>{{/continueAction}}
        {{> foot}}
        """

    static let device = """
        {{> head}}
        <h1>Connect a device</h1>
        <p>Enter the code your device shows.</p>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="{{action}}">
        <input type="hidden" name="csrf_token" value="{{csrfToken}}">
        <label for="user_code">Code</label>
        <input id="user_code" name="user_code" value="{{userCode}}" placeholder="XXXX-XXXX" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" required autofocus>
        <button type="submit">Continue</button>
        </form>
        {{> foot}}
        """

    static let message = """
        {{> head}}
        <h1>{{title}}</h1>
        <p>{{message}}</p>
        {{> foot}}
        """
}
