package org.serverhold.registry;

import java.time.Clock;
import org.serverhold.registry.api.AccessPolicy;
import org.serverhold.registry.api.AuthInterceptor;
import org.serverhold.registry.api.EnforcementGrpcService;
import org.serverhold.registry.api.FilingGrpcService;
import org.serverhold.registry.api.Idempotency;
import org.serverhold.registry.api.RegistrarGrpcService;
import org.serverhold.registry.audit.AuditLog;
import org.serverhold.registry.auth.CredentialStore;
import org.serverhold.registry.blacklist.AddToBlacklistFlow;
import org.serverhold.registry.blacklist.BlacklistEntries;
import org.serverhold.registry.blacklist.BlacklistQueries;
import org.serverhold.registry.blacklist.BlacklistStore;
import org.serverhold.registry.blacklist.HolderStanding;
import org.serverhold.registry.blacklist.RemoveFromBlacklistFlow;
import org.serverhold.registry.database.Database;
import org.serverhold.registry.domain.CheckRegistrationFlow;
import org.serverhold.registry.domain.DeleteDomainFlow;
import org.serverhold.registry.domain.DomainQueries;
import org.serverhold.registry.domain.DomainStore;
import org.serverhold.registry.domain.RegisterDomainFlow;
import org.serverhold.registry.domain.RegistrationFactsReader;
import org.serverhold.registry.domain.RegistrationRules;
import org.serverhold.registry.domain.TransferDomainFlow;
import org.serverhold.registry.domain.VerifyRegistrantFlow;
import org.serverhold.registry.filing.FilingInput;
import org.serverhold.registry.filing.FilingQueries;
import org.serverhold.registry.filing.FilingStore;
import org.serverhold.registry.filing.RevokeFilingFlow;
import org.serverhold.registry.filing.UpsertFilingFlow;
import org.serverhold.registry.flag.FlagStore;
import org.serverhold.registry.holder.HolderKeys;
import org.serverhold.registry.holder.HolderStore;
import org.serverhold.registry.holder.RegistrantResolver;
import org.serverhold.registry.holder.RegistrantStore;
import org.serverhold.registry.name.DomainNames;
import org.serverhold.registry.name.ManagedZones;
import org.serverhold.registry.api.PolicyGrpcService;
import org.serverhold.registry.policy.PolicyFeed;
import org.serverhold.registry.policy.PolicyLedger;
import org.serverhold.registry.policy.PolicyRetention;
import org.serverhold.registry.policy.PolicySnapshotReader;
import org.serverhold.registry.policy.PolicySubscribers;
import org.serverhold.registry.request.RequestLog;
import org.serverhold.registry.expiry.ExpiryJob;
import org.serverhold.registry.flag.FlagDomainFlow;
import org.serverhold.registry.takedown.CascadePolicy;
import org.serverhold.registry.takedown.GraceCascadeJob;
import org.serverhold.registry.takedown.IssueTakedownFlow;
import org.serverhold.registry.takedown.LiftTakedownFlow;
import org.serverhold.registry.takedown.TakedownQueries;
import org.serverhold.registry.takedown.TakedownStore;

/**
 * The composition root: builds every store, flow and service by hand, once, from the database,
 * the keys, the managed zones and a clock. Tests build one with their own clock.
 */
public final class Registry implements AutoCloseable {
  public final Database db;
  public final Clock clock;
  public final DomainNames names;
  public final ManagedZones zones;
  public final AuditLog audit;
  public final CredentialStore credentials;
  public final HolderStore holders;
  public final DomainStore domains;
  public final FilingStore filings;
  public final PolicyLedger policy;
  public final RegistrarGrpcService registrarService;
  public final FilingGrpcService filingService;
  public final EnforcementGrpcService enforcementService;
  public final AuthInterceptor authInterceptor;
  public final PolicyFeed feed;
  public final PolicySubscribers subscribers;
  public final PolicyGrpcService policyService;
  public final org.serverhold.registry.federation.Federation federation;
  public final org.serverhold.registry.api.FederationGrpcService federationService;
  public final org.serverhold.registry.api.FederationAdminGrpcService federationAdminService;

  public final GraceCascadeJob graceCascade;
  public final ExpiryJob expiry;
  private final java.util.concurrent.ScheduledExecutorService jobs =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon()
          .name("registry-jobs").unstarted(r));

  public Registry(Database db, HolderKeys keys, java.util.List<String> zoneNames, Clock clock) {
    this(db, keys, zoneNames, CascadePolicy.immediate(), clock);
  }

  public Registry(Database db, HolderKeys keys, java.util.List<String> zoneNames, CascadePolicy cascade, Clock clock) {
    this(db, keys, zoneNames, cascade, new org.serverhold.registry.auth.RateLimiter(500, 1000), clock);
  }

  public Registry(Database db, HolderKeys keys, java.util.List<String> zoneNames, CascadePolicy cascade,
      org.serverhold.registry.auth.RateLimiter rateLimiter, Clock clock) {
    this(db, keys, zoneNames, cascade, rateLimiter, org.serverhold.registry.federation.FederationSettings.none(), clock);
  }

  public Registry(Database db, HolderKeys keys, java.util.List<String> zoneNames, CascadePolicy cascade,
      org.serverhold.registry.auth.RateLimiter rateLimiter,
      org.serverhold.registry.federation.FederationSettings federationSettings, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.names = new DomainNames();
    this.zones = ManagedZones.parse(names, zoneNames);
    this.audit = new AuditLog(clock);
    this.credentials = new CredentialStore(db, audit);
    this.holders = new HolderStore(keys);
    this.domains = new DomainStore();
    this.filings = new FilingStore(keys);
    this.policy = new PolicyLedger(zones, clock);
    db.run(policy::syncZones);

    RegistrantStore registrantStore = new RegistrantStore();
    RegistrantResolver registrants = new RegistrantResolver(holders, registrantStore);
    BlacklistStore blacklist = new BlacklistStore();
    FlagStore flags = new FlagStore();
    RegistrationRules rules = new RegistrationRules();
    RegistrationFactsReader facts = new RegistrationFactsReader(zones, domains, flags, blacklist, filings);
    Idempotency idempotency = new Idempotency(db, new RequestLog());

    this.registrarService = new RegistrarGrpcService(new RegistrarGrpcService.Flows(
        new CheckRegistrationFlow(db, names, registrants, facts, rules, clock),
        new RegisterDomainFlow(registrants, holders, domains, facts, rules, audit, policy, clock),
        new TransferDomainFlow(registrants, holders, domains, facts, rules, audit, policy, clock),
        new DeleteDomainFlow(domains, audit, policy, clock),
        new VerifyRegistrantFlow(registrantStore, domains, audit, policy, clock),
        new DomainQueries(db, domains)), names, idempotency);
    this.filingService = new FilingGrpcService(new UpsertFilingFlow(filings, audit, policy, clock),
        new RevokeFilingFlow(filings, audit, policy, clock), new FilingQueries(db, filings, domains),
        new FilingInput(names), names, idempotency);
    BlacklistEntries entries = new BlacklistEntries();
    HolderStanding standing = new HolderStanding(blacklist, domains, policy);
    TakedownStore takedowns = new TakedownStore();
    this.subscribers = new PolicySubscribers(db, clock);
    this.enforcementService = new EnforcementGrpcService(new EnforcementGrpcService.Flows(
        new AddToBlacklistFlow(holders, entries, standing, audit, clock),
        new RemoveFromBlacklistFlow(holders, entries, blacklist, standing, audit, clock),
        new BlacklistQueries(db, holders, entries, clock),
        new IssueTakedownFlow(holders, domains, takedowns, entries, policy, audit, cascade, clock),
        new LiftTakedownFlow(holders, takedowns, entries, policy, audit, clock),
        new TakedownQueries(db, takedowns, holders, clock),
        new FlagDomainFlow(flags, policy, audit, clock), flags, subscribers), names, db, idempotency, clock);
    this.graceCascade = new GraceCascadeJob(db, holders, policy, audit, clock);
    this.expiry = new ExpiryJob(db, holders, standing, flags, policy, audit, clock);
    this.authInterceptor = new AuthInterceptor(credentials, AccessPolicy.standard(), rateLimiter);
    this.feed = new PolicyFeed(db, 20);
    this.policyService = new PolicyGrpcService(feed, new PolicySnapshotReader(db), subscribers,
        credentials::isActive);
    // Federation: our blacklist changes for peers, their changes imported here (peers are added
    // with federation.addPeer once the server runs).
    this.federation = new org.serverhold.registry.federation.Federation(db, federationSettings, holders, blacklist,
        entries, policy, audit, clock);
    this.federationService = new org.serverhold.registry.api.FederationGrpcService(federation, credentials::isActive);
    this.federationAdminService = new org.serverhold.registry.api.FederationAdminGrpcService(federation, db, idempotency);
  }

  /** The figures /metrics shows. */
  public org.serverhold.registry.metrics.RegistryMetrics.Sample metricsSample() {
    var activity = subscribers.activity();
    return new org.serverhold.registry.metrics.RegistryMetrics.Sample(feed.latest(), activity.active(),
        activity.minApplied(), federation.exportLog().latest(), federation.status(), clock.millis());
  }

  /** The services beside the registrar, filing and enforcement ones. */
  public java.util.List<io.grpc.BindableService> extraServices() {
    return java.util.List.of(policyService, federationService, federationAdminService);
  }

  /** Starts the periodic jobs (grace cascades, expiries): a serving registry runs them, tests call them directly. */
  public void startJobs(java.time.Duration every, long keepVersions, java.time.Duration keepFor) {
    PolicyRetention retention = new PolicyRetention(db, clock, keepVersions, keepFor);
    jobs.scheduleWithFixedDelay(() -> {
      try {
        graceCascade.runOnce();
        expiry.runOnce();
        retention.pruneOnce();
      } catch (RuntimeException e) {
        java.util.logging.Logger.getLogger(Registry.class.getName())
            .warning(() -> "periodic job failed (retried next round): " + e.getMessage());
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    federation.close();
    jobs.shutdownNow();
    feed.close();
  }
}
