package io.mycelium.net;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/** An {@link SSLEngine} that tells {@code onFailure} once why its handshake or a record failed; otherwise the engine it wraps. */
final class ReportingSslEngine extends SSLEngine {
    private final SSLEngine e;
    private final Consumer<String> onFailure;
    private boolean reported;

    ReportingSslEngine(SSLEngine e, Consumer<String> onFailure) {
        super(e.getPeerHost(), e.getPeerPort());
        this.e = e;
        this.onFailure = onFailure;
    }

    private SSLException report(SSLException x) {
        if (!reported) {
            reported = true;
            onFailure.accept(x.getMessage());
        }
        return x;
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] src, int offset, int length, ByteBuffer dst) throws SSLException {
        try {
            return e.wrap(src, offset, length, dst);
        } catch (SSLException x) {
            throw report(x);
        }
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
        try {
            return e.unwrap(src, dsts, offset, length);
        } catch (SSLException x) {
            throw report(x);
        }
    }

    @Override
    public void beginHandshake() throws SSLException {
        try {
            e.beginHandshake();
        } catch (SSLException x) {
            throw report(x);
        }
    }

    @Override public Runnable getDelegatedTask() { return e.getDelegatedTask(); }
    @Override public void closeInbound() throws SSLException { e.closeInbound(); }
    @Override public boolean isInboundDone() { return e.isInboundDone(); }
    @Override public void closeOutbound() { e.closeOutbound(); }
    @Override public boolean isOutboundDone() { return e.isOutboundDone(); }
    @Override public String[] getSupportedCipherSuites() { return e.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return e.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { e.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return e.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return e.getEnabledProtocols(); }
    @Override public void setEnabledProtocols(String[] protocols) { e.setEnabledProtocols(protocols); }
    @Override public SSLSession getSession() { return e.getSession(); }
    @Override public SSLSession getHandshakeSession() { return e.getHandshakeSession(); }
    @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return e.getHandshakeStatus(); }
    @Override public void setUseClientMode(boolean mode) { e.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return e.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { e.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return e.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { e.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return e.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { e.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return e.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return e.getSSLParameters(); }
    @Override public void setSSLParameters(SSLParameters params) { e.setSSLParameters(params); }
    @Override public String getApplicationProtocol() { return e.getApplicationProtocol(); }
    @Override public String getHandshakeApplicationProtocol() { return e.getHandshakeApplicationProtocol(); }
    @Override public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
        e.setHandshakeApplicationProtocolSelector(selector);
    }
    @Override public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
        return e.getHandshakeApplicationProtocolSelector();
    }
}
