import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { ServiceKitModule } from '@platform/service-kit';
import { GatewayConfig } from './config/gateway.config';
import { UpstreamHealthController } from './health/upstream-health.controller';
import { AuthRoutes, JwksRoutes } from './proxy/auth.routes';
import { NotificationsRoutes } from './proxy/notifications.routes';
import { AdminOrdersRoutes, OrdersRoutes } from './proxy/orders.routes';
import { ProxyService } from './proxy/proxy.service';
import { Upstreams } from './proxy/upstreams';
import { UsersRoutes } from './proxy/users.routes';
import { RateLimitModule } from './rate-limit/rate-limit.module';

@Module({
  imports: [
    // The gateway is ready when it can serve; upstreams are reported by GET /health instead.
    ServiceKitModule.forRoot({ config: GatewayConfig, readiness: [] }),
    AuthModule.forRoot({
      useFactory: (config: GatewayConfig) => ({ issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, jwksUrl: config.jwksUrl }),
      inject: [GatewayConfig],
    }),
    RateLimitModule,
  ],
  controllers: [AuthRoutes, JwksRoutes, UsersRoutes, OrdersRoutes, AdminOrdersRoutes, NotificationsRoutes, UpstreamHealthController],
  providers: [Upstreams, ProxyService],
})
export class AppModule {}
