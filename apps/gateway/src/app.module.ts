import { Module } from '@nestjs/common';
import { AuthModule } from '@platform/auth';
import { UpstreamsHealthCheck } from './health/upstreams.check';
import { AuthRoutes, JwksRoutes } from './proxy/auth.routes';
import { NotificationStreamForwarder } from './proxy/notification-stream.forwarder';
import { NotificationStreamRoutes } from './proxy/notification-stream.routes';
import { NotificationsRoutes } from './proxy/notifications.routes';
import { AdminOrdersRoutes, OrdersRoutes } from './proxy/orders.routes';
import { ProxyService } from './proxy/proxy.service';
import { Upstreams } from './proxy/upstreams';
import { UsersRoutes } from './proxy/users.routes';
import { RateLimitModule } from './rate-limit/rate-limit.module';

/** No readiness checks of its own: the gateway is ready when it can serve; its detailed health (GET /health) reports upstreams. */
@Module({
  imports: [AuthModule.forRoot(), RateLimitModule],
  controllers: [AuthRoutes, JwksRoutes, UsersRoutes, OrdersRoutes, AdminOrdersRoutes, NotificationStreamRoutes, NotificationsRoutes],
  providers: [Upstreams, ProxyService, NotificationStreamForwarder, UpstreamsHealthCheck],
})
export class AppModule {}
