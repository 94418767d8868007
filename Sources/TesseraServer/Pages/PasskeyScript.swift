/// The one script of our pages: it hands the options a page carries to the browser's WebAuthn
/// API and posts the answer back in the page's form, as WebAuthn L3 §5.1's JSON. Everything
/// else works without it; without WebAuthn in the browser its buttons stay hidden. Allowed by
/// its hash in the Content-Security-Policy, like the stylesheet.
enum PasskeyScript {
    static let source = """
        (function(){\
        if(!window.PublicKeyCredential||!navigator.credentials)return;\
        function enc(b){var s="",a=new Uint8Array(b);for(var i=0;i<a.length;i++)s+=String.fromCharCode(a[i]);\
        return btoa(s).replace(/\\+/g,"-").replace(/\\//g,"_").replace(/=+$/,"");}\
        function dec(t){var s=atob(t.replace(/-/g,"+").replace(/_/g,"/")),a=new Uint8Array(s.length);\
        for(var i=0;i<s.length;i++)a[i]=s.charCodeAt(i);return a.buffer;}\
        function list(l){return(l||[]).map(function(c){var d={type:c.type,id:dec(c.id)};\
        if(c.transports)d.transports=c.transports;return d;});}\
        document.querySelectorAll("button[data-webauthn]").forEach(function(button){\
        button.hidden=false;\
        button.addEventListener("click",function(){\
        var form=button.form,note=form.querySelector(".passkey-error"),o=JSON.parse(button.getAttribute("data-webauthn")),\
        p=o.publicKey,call;\
        p.challenge=dec(p.challenge);\
        if(o.mode==="create"){p.user.id=dec(p.user.id);p.excludeCredentials=list(p.excludeCredentials);\
        call=navigator.credentials.create({publicKey:p});}\
        else{p.allowCredentials=list(p.allowCredentials);call=navigator.credentials.get({publicKey:p});}\
        call.then(function(c){var r=c.response,j={id:c.id,rawId:enc(c.rawId),type:c.type,\
        authenticatorAttachment:c.authenticatorAttachment||null,clientExtensionResults:{},\
        response:{clientDataJSON:enc(r.clientDataJSON)}};\
        if(r.attestationObject){j.response.attestationObject=enc(r.attestationObject);\
        j.response.transports=r.getTransports?r.getTransports():[];}\
        else{j.response.authenticatorData=enc(r.authenticatorData);j.response.signature=enc(r.signature);\
        j.response.userHandle=r.userHandle?enc(r.userHandle):null;}\
        form.elements.credential.value=JSON.stringify(j);form.submit();},\
        function(e){if(note){note.hidden=false;note.textContent="No passkey was used ("+e.name+"). Try again, or sign in another way.";}});\
        });});})();
        """
}
